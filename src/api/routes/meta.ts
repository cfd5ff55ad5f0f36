/** Unauthenticated routes: liveness, readiness and the API description. */
import Type from 'typebox';
import { NodeCatalog, nodeCatalog } from '../../app/catalog-meta.ts';
import type { Waymark } from '../../app/waymark.ts';
import type { EngineHandle } from '../../engine/handle.ts';
import type { Api } from '../context.ts';

const Ready = Type.Object({ ready: Type.Boolean(), reason: Type.Optional(Type.String()) });

/**
 * GET /health: liveness, the process is up and serving (no store access: a database outage must not get
 * every process restarted). GET /ready: readiness, the store answers a cheap query and the process is not
 * shutting down; 503 otherwise, so a load balancer stops sending it work.
 */
export function healthRoutes(app: Api, waymark: Waymark<EngineHandle>): void {
  app.get(
    '/health',
    { config: { access: 'public' }, schema: { tags: ['meta'], summary: 'Liveness', security: [], response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
    async () => ({ ok: true }),
  );
  app.get(
    '/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['meta'],
        summary: 'Readiness',
        description: 'Ready when the store answers a cheap query and the process is not shutting down; 503 with the reason otherwise.',
        security: [],
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const readiness = await waymark.readiness();
      return reply.code(readiness.ready ? 200 : 503).send(readiness);
    },
  );
}

export function metaRoutes(app: Api, waymark: Waymark<EngineHandle>): void {
  healthRoutes(app, waymark);
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
  // Public like the API description: it says what journeys can hold, nothing about any project.
  const catalog = nodeCatalog();
  app.get(
    '/v1/meta/nodes',
    {
      config: { access: 'public' },
      schema: {
        tags: ['meta'],
        summary: 'Node kinds and channels',
        description: "Every node kind (its JSON Schema, branches, form fields, canvas label) and every channel (address and opt-out traits, message fields), from the node registry and the channel table.",
        security: [],
        response: { 200: NodeCatalog },
      },
    },
    async () => catalog,
  );
}
