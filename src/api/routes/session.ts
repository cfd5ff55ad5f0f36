/**
 * Dashboard sign-in: POST /v1/session trades an email and password (a dashboard user), or the admin key, for
 * an httpOnly, SameSite=Strict cookie, so no secret sits in the browser's storage where a script could read
 * it; GET says who is signed in, DELETE signs out, POST /v1/session/password changes one's own password. The
 * sessions themselves are in ../sessions.ts, failed attempts are limited by ../sign-in-limit.ts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { cachedKeys, findKey, liveRole } from '../auth.ts';
import type { Api } from '../context.ts';
import { ApiError } from '../errors.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, spendVerify, verifyPassword } from '../passwords.ts';
import { ErrorBody, withErrors } from '../schemas.ts';
import { CSRF_HEADER, SESSION_COOKIE, SESSION_MS, sessionCookie, type SessionOwner, type Sessions } from '../sessions.ts';
import type { SignInLimiter } from '../sign-in-limit.ts';
import { userView } from '../team.ts';
import { DashboardUser, Role } from './team-schemas.ts';
import { DEFAULT_PROJECT } from '../../app/projects.ts';
import type { ProjectRouter } from '../project-route.ts';

const tags = ['session'];
const SignInBody = Type.Object(
  {
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'A dashboard user\'s email (with password)' })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH, description: 'That user\'s password' })),
    key: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The admin key, instead of an email and password' })),
  },
  { additionalProperties: false },
);
const SessionState = Type.Object({
  signedIn: Type.Boolean(),
  expiresAt: Type.Union([Type.Integer({ minimum: 0, description: 'Epoch milliseconds' }), Type.Null()]),
  role: Type.Union([Role, Type.Null()], { description: 'What the session may do; the admin key\'s session is admin' }),
  user: Type.Union([DashboardUser, Type.Null()], { description: 'The user signed in; null when signed in with the admin key, or not at all' }),
  userSignIn: Type.Boolean({
    description: 'Whether any dashboard user may sign in by email and password; false on a new server, where only the admin key can (the sign-in page then offers the key first)',
  }),
});
const PasswordChange = Type.Object(
  {
    oldPassword: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
    newPassword: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH, description: `At least ${MIN_PASSWORD_LENGTH} characters` }),
  },
  { additionalProperties: false },
);

/** One answer for every wrong email or password: which of the two was wrong is not said (no user enumeration). */
const WRONG = 'wrong email or password';
const SIGNED_OUT = { signedIn: false, expiresAt: null, role: null, user: null } as const;

/** Secure when the browser reached us over https, directly or through a proxy that says so. */
function overHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  // Trusting the header cannot weaken anything: a forged "https" only makes the client's own cookie stricter.
  return request.protocol === 'https' || first === 'https';
}

const cookieOptions = (request: FastifyRequest) => ({ path: '/', httpOnly: true, sameSite: 'strict', secure: overHttps(request) }) as const;

export function sessionRoutes(app: Api, router: ProjectRouter, sessions: Sessions, limiter: SignInLimiter, now: () => number = Date.now): void {
  const store = router.main.store;
  const keys = cachedKeys(store);
  const userSignIn = async () => (await store.listDashboardUsers()).some((u) => !u.disabled);

  const open = (request: FastifyRequest, reply: FastifyReply, owner: SessionOwner) => {
    const { id, expiresAt } = sessions.open(owner);
    void reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions(request), maxAge: Math.floor(SESSION_MS / 1000) });
    return expiresAt;
  };

  app.post(
    '/v1/session',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Sign in to the dashboard',
        description:
          `Checks an email and password, or the admin key, and sets the httpOnly, SameSite=Strict cookie \`${SESSION_COOKIE}\` (valid ${SESSION_MS / 3_600_000} h; Secure over https). ` +
          'Routes accept that cookie in place of a bearer key, as far as the role allows (the admin key\'s session is admin); requests that change something ' +
          `(POST, PUT, PATCH, DELETE) authenticated by it must also send the header \`${CSRF_HEADER}: 1\`, or get 403. ` +
          'A wrong email or password gets one answer (401) whichever was wrong; repeated failures for an email or from an address get 429 for a while.',
        security: [],
        body: SignInBody,
        response: { 200: SessionState, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, password, key } = request.body;
      if (key !== undefined) {
        if (email !== undefined || password !== undefined) throw new ApiError(400, 'send either an email and password or the admin key, not both', [{ path: '/key', message: 'not with email and password' }]);
        limiter.check(null, request.ip);
        const found = await findKey(keys, key);
        if (found === null) {
          limiter.failed(null, request.ip);
          const elsewhere = await router.findKey(key);
          if (elsewhere) throw new ApiError(403, `this key belongs to project "${elsewhere.project}": the dashboard signs in with the ${DEFAULT_PROJECT} project's admin key, or an email and password, and then works in every project`);
          throw new ApiError(401, 'invalid API key');
        }
        if (found.kind !== 'admin') throw new ApiError(403, 'the dashboard needs the admin key; the write key only sends events and profiles');
        const expiresAt = open(request, reply, { keyHash: found.hash });
        return { signedIn: true, expiresAt, role: 'admin' as const, user: null, userSignIn: await userSignIn() };
      }
      if (email === undefined) throw new ApiError(400, 'email is required (or the admin key as "key")', [{ path: '/email', message: 'is required' }]);
      if (password === undefined) throw new ApiError(400, 'password is required', [{ path: '/password', message: 'is required' }]);
      limiter.check(email, request.ip);
      const user = await store.findDashboardUserByEmail(email.trim());
      // An unknown email costs a verification too, so the time taken does not tell which emails exist.
      const right = user ? await verifyPassword(password, user.password) : (await spendVerify(password), false);
      if (!user || !right || user.disabled) {
        limiter.failed(email, request.ip);
        throw new ApiError(401, WRONG);
      }
      limiter.succeeded(email);
      const at = now();
      await store.recordDashboardSignIn(user.id, at);
      const expiresAt = open(request, reply, { userId: user.id, password: user.password });
      return { signedIn: true, expiresAt, role: user.role, user: userView({ ...user, lastSignInAt: at }), userSignIn: true };
    },
  );

  app.get(
    '/v1/session',
    {
      config: { access: 'public' },
      schema: { tags, summary: 'Who is signed in, with which role', security: [], response: { 200: SessionState } },
    },
    async (request) => {
      const id = sessionCookie(request);
      const session = id === null ? null : sessions.get(id);
      const role = session ? await liveRole(store, keys, session, request) : null;
      if (!session || role === null) return { ...SIGNED_OUT, userSignIn: await userSignIn() };
      return { signedIn: true, expiresAt: session.expiresAt, role, user: request.dashboardUser ? userView(request.dashboardUser) : null, userSignIn: await userSignIn() };
    },
  );

  app.post(
    '/v1/session/password',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Change one\'s own password',
        description: 'For a user signed in by email and password; the old password must be given. The session goes on; other sessions of the user end.',
        body: PasswordChange,
        response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 400, 429),
      },
    },
    async (request) => {
      const user = request.dashboardUser;
      if (!user) throw new ApiError(400, 'only a user signed in by email and password has a password to change; the admin key has none');
      limiter.check(user.email, request.ip);
      if (!(await verifyPassword(request.body.oldPassword, user.password))) {
        limiter.failed(user.email, request.ip);
        throw new ApiError(400, 'oldPassword is not your current password', [{ path: '/oldPassword', message: 'is not your current password' }]);
      }
      const password = await hashPassword(request.body.newPassword);
      await store.updateDashboardUser(user.id, { password });
      sessions.rebind(sessionCookie(request)!, password);
      return { ok: true };
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
      void reply.clearCookie(SESSION_COOKIE, cookieOptions(request));
      return { ...SIGNED_OUT, userSignIn: await userSignIn() };
    },
  );
}
