/**
 * Dashboard sign-in: POST /v1/session trades the admin key for an httpOnly, SameSite=Strict cookie, so the
 * key never sits in the browser's storage where a script could read it; DELETE /v1/session signs out. The
 * sessions themselves are in ../sessions.ts.
 */
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { Store } from '../../store/store.ts';
import { cachedKeys, hashKey, keyKind } from '../auth.ts';
import type { Api } from '../context.ts';
import { ApiError } from '../errors.ts';
import { ErrorBody } from '../schemas.ts';
import { CSRF_HEADER, SESSION_COOKIE, SESSION_MS, sessionCookie, type Session, type Sessions } from '../sessions.ts';

const tags = ['session'];
const SignInBody = Type.Object({ key: Type.String({ minLength: 1, maxLength: 200, description: 'The admin key' }) }, { additionalProperties: false });
const SessionState = Type.Object({
  signedIn: Type.Boolean(),
  expiresAt: Type.Union([Type.Integer({ minimum: 0, description: 'Epoch milliseconds' }), Type.Null()]),
});

const COOKIE_OPTIONS = { path: '/', httpOnly: true, sameSite: 'strict', secure: 'auto' } as const;

export function sessionRoutes(app: Api, store: Store, sessions: Sessions): void {
  const keys = cachedKeys(store);
  /** The session of the request's cookie, if it is live and its admin key still exists. */
  const liveSession = async (request: FastifyRequest): Promise<Session | null> => {
    const id = sessionCookie(request);
    const session = id === null ? null : sessions.get(id);
    if (!session) return null;
    return (await keys()).some((k) => k.kind === 'admin' && k.hash === session.keyHash) ? session : null;
  };

  app.post(
    '/v1/session',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sign in to the dashboard',
        description:
          `Checks the admin key and sets the httpOnly, SameSite=Strict cookie \`${SESSION_COOKIE}\` (valid ${SESSION_MS / 3_600_000} h). ` +
          'Admin routes accept that cookie in place of the bearer key; requests that change something (POST, PUT, PATCH, DELETE) ' +
          `authenticated by it must also send the header \`${CSRF_HEADER}: 1\`, or get 403.`,
        security: [],
        body: SignInBody,
        response: { 200: SessionState, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const kind = await keyKind(keys, request.body.key);
      if (kind === null) throw new ApiError(401, 'invalid API key');
      if (kind !== 'admin') throw new ApiError(403, 'the dashboard needs the admin key; the write key only sends events and profiles');
      const { id, expiresAt } = sessions.open(hashKey(request.body.key));
      void reply.setCookie(SESSION_COOKIE, id, { ...COOKIE_OPTIONS, maxAge: Math.floor(SESSION_MS / 1000) });
      return { signedIn: true, expiresAt };
    },
  );

  app.get(
    '/v1/session',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'Whether the session cookie is signed in', security: [], response: { 200: SessionState } },
    },
    async (request) => {
      const session = await liveSession(request);
      return { signedIn: session !== null, expiresAt: session?.expiresAt ?? null };
    },
  );

  app.delete(
    '/v1/session',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sign out',
        description: `Ends the session of the cookie, if any, and clears the cookie. Needs the header \`${CSRF_HEADER}: 1\`.`,
        security: [],
        response: { 200: SessionState, 403: ErrorBody },
      },
    },
    async (request, reply) => {
      if (request.headers[CSRF_HEADER] !== '1') throw new ApiError(403, `signing out needs the header "${CSRF_HEADER}: 1"`);
      const id = sessionCookie(request);
      if (id !== null) sessions.close(id);
      void reply.clearCookie(SESSION_COOKIE, COOKIE_OPTIONS);
      return { signedIn: false, expiresAt: null };
    },
  );
}
