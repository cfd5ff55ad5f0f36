/** What every route module gets: the typed Fastify instance and the running Waymark. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Waymark } from '../app/waymark.ts';
import type { EngineHandle } from '../engine/handle.ts';

export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface RouteContext {
  waymark: Waymark<EngineHandle>;
  /** Most items in one `{ batch }` of events or profiles. */
  maxBatch: number;
}
