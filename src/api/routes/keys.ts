/**
 * API keys (admin): list, make, rotate and revoke. A key is in the answer that makes it and nowhere else.
 * This process forgets its cached keys at once; every other process reads them again within a second
 * (auth.ts), so a revoked key stops working everywhere within that time.
 */
import Type from 'typebox';
import { keysChanged } from '../auth.ts';
import { createKey, keyView, LastAdminKeyError, revokeKey, rotateKey, UnknownKeyError } from '../keys.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { withErrors } from '../schemas.ts';

const Kind = Type.Union([Type.Literal('admin'), Type.Literal('write')], {
  description: 'write: ingestion only (events, profiles, the inbox), safe to ship in an app; admin: everything',
});
const KeyView = Type.Object({
  id: Type.String({ description: 'Names the key in rotate and revoke (the first 12 hex digits of its hash)' }),
  kind: Kind,
  name: Type.Union([Type.String(), Type.Null()]),
  prefix: Type.Union([Type.String(), Type.Null()], { description: 'The key\'s first characters, to recognise it; null for keys made before they were kept' }),
  createdAt: Type.Integer(),
  lastUsedAt: Type.Union([Type.Integer(), Type.Null()], { description: 'When it last opened a request (kept to the minute); null when never' }),
});
const NewKey = Type.Object({
  key: Type.String({ description: 'The key itself: shown this once, never again' }),
  ...KeyView.properties,
});
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{12}$', description: 'A key id from GET /v1/keys' }) });

async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnknownKeyError) throw new ApiError(404, error.message);
    if (error instanceof LastAdminKeyError) throw new ApiError(409, error.message);
    throw error;
  }
}

export function keyRoutes(app: Api, _context: RouteContext): void {
  const tags = ['keys'];

  app.get(
    '/v1/keys',
    { config: { access: 'admin' }, schema: { tags, summary: 'The API keys, oldest first (never the keys themselves)', response: withErrors({ 200: Type.Object({ keys: Type.Array(KeyView) }) }) } },
    async (request) => ({ keys: (await request.waymark.store.listApiKeys()).map(keyView) }),
  );

  app.post(
    '/v1/keys',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Make a key; the answer is the only time it is shown',
        body: Type.Object({ kind: Kind, name: Type.String({ minLength: 1, maxLength: 100, description: 'What it is for, e.g. "iOS app"' }) }, { additionalProperties: false }),
        response: withErrors({ 201: NewKey }, 400),
      },
    },
    async (request, reply) => {
      const { waymark } = request;
      const { key, view } = await createKey(waymark.store, request.body.kind, request.body.name, waymark.engine.clock.now());
      keysChanged(waymark.store);
      return reply.code(201).send({ key, ...view });
    },
  );

  app.post(
    '/v1/keys/:id/rotate',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Replace a key by a new one of the same kind and name; the old one stops working at once',
        params: IdParams,
        response: withErrors({ 200: NewKey }, 404),
      },
    },
    async (request) => answering(async () => {
      const { waymark } = request;
      const { key, view } = await rotateKey(waymark.store, request.params.id, waymark.engine.clock.now());
      keysChanged(waymark.store);
      return { key, ...view };
    }),
  );

  app.delete(
    '/v1/keys/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Revoke a key',
        description: 'The last admin key cannot be revoked (409): no one could manage keys then. Rotate it instead.',
        params: IdParams,
        response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 404, 409),
      },
    },
    async (request) => answering(async () => {
      const { waymark } = request;
      await revokeKey(waymark.store, request.params.id);
      keysChanged(waymark.store);
      return { ok: true };
    }),
  );
}
