/** Unauthenticated routes: liveness and the API description. */
import Type from 'typebox';
import type { Api } from '../context.ts';

export function metaRoutes(app: Api): void {
  app.get(
    '/health',
    { config: { access: 'public' }, schema: { tags: ['meta'], summary: 'Liveness', security: [], response: { 200: Type.Object({ ok: Type.Boolean() }) } } },
    async () => ({ ok: true }),
  );
  app.get('/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
