/** What every route module gets: the typed Fastify instance and the projects it serves. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ProjectRouter } from './project-route.ts';

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/**
 * A route works in the project of its request: `request.waymark` (set by the auth hook, project-route.ts),
 * never a Waymark captured when the route was registered. What belongs to the deployment (dashboard users,
 * the registry of projects) is `router.main`.
 */
export interface RouteContext {
  router: ProjectRouter;
  /** Most items in one `{ batch }` of events or profiles. */
  maxBatch: number;
}
