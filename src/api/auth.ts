/**
 * Access control: a bearer key, or the dashboard's session cookie. Each route declares who may call it in
 * `config.access`, the one table of who may do what (docs/security.md); undeclared routes are admin-only, so
 * a route added without thought fails closed. A session signed in with the admin key acts as the admin role;
 * one signed in by a dashboard user acts as that user's role, read from the store on every request, so
 * disabling, removing or demoting a user takes effect on its sessions at once.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { log } from '../ops/logger.ts';
import type { ApiKeyRecord, DashboardRole, DashboardUserRecord, Store } from '../store/store.ts';
import { ApiError } from './errors.ts';
import { namedProject, type ProjectRouter } from './project-route.ts';
import { CSRF_HEADER, sessionCookie, type Session, type Sessions } from './sessions.ts';

/**
 * public: no key. write: the write key (event and profile ingestion) or the admin key. read: anyone signed in
 * to the dashboard (viewer and up), or the admin key. edit: an editor or admin, or the admin key. admin: an
 * admin user, or the admin key.
 */
export type Access = 'public' | 'write' | 'read' | 'edit' | 'admin';

/** The least role each access level needs of a dashboard session ('write' routes: an admin, as with the admin key). */
const LEAST_ROLE: Record<Exclude<Access, 'public'>, DashboardRole> = { read: 'viewer', edit: 'editor', admin: 'admin', write: 'admin' };
const RANK: Record<DashboardRole, number> = { viewer: 0, editor: 1, admin: 2 };

export function roleAllows(role: DashboardRole, access: Access): boolean {
  return access === 'public' || RANK[role] >= RANK[LEAST_ROLE[access]];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Where else a route takes its key (compatible ingestion); "Authorization: Bearer" comes first. */
    keyFrom?: KeySource;
  }
  interface FastifyRequest {
    keyKind?: ApiKeyRecord['kind'];
    /** The stored hash of the key the request came with (the rate limit counts by it). */
    keyHash?: string;
    /** The role a dashboard session acts with (the admin key's session: admin). */
    role?: DashboardRole;
    /** The dashboard user signed in by this request's session, if signed in by email and password. */
    dashboardUser?: DashboardUserRecord;
  }
}

export function hashKey(key: string): string {
  return hash('sha256', key, 'hex');
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** How long the key list is cached: a key added or revoked elsewhere counts within this time. */
const KEY_CACHE_MS = 1_000;

/** Each store's key caches in this process, to forget when this process changes the keys. */
const caches = new WeakMap<object, Set<() => void>>();

/** After a key is made, rotated or revoked here: this process's caches read the keys again at once (others within KEY_CACHE_MS). */
export function keysChanged(store: Pick<Store, 'listApiKeys'>): void {
  for (const reset of caches.get(store) ?? []) reset();
}

/** Reads the stored keys at most once per KEY_CACHE_MS, not on every request of a busy ingest stream. */
export function cachedKeys(store: Pick<Store, 'listApiKeys'>, now: () => number = Date.now): () => Promise<ApiKeyRecord[]> {
  let cached: { at: number; keys: Promise<ApiKeyRecord[]> } | null = null;
  const resets = caches.get(store) ?? new Set<() => void>();
  caches.set(store, resets);
  resets.add(() => (cached = null));
  return () => {
    if (cached === null || now() - cached.at > KEY_CACHE_MS) {
      const keys = store.listApiKeys();
      cached = { at: now(), keys };
      // A failed read, or none yet (a server answers before its first keys are made), is not kept.
      keys.then((list) => list.length === 0 && (cached = null), () => (cached = null));
    }
    return cached.keys;
  };
}

/** A key sent other than as a bearer token, the way another vendor's clients send it (see routes/compat.ts). */
export interface KeySource {
  /** The key in other headers (HTTP Basic, a vendor's header), or null. */
  header?(request: FastifyRequest): string | null;
  /** The key may be in the body instead: with no key in the headers the route must check it, once the body is read (bodyKeyCheck). */
  body?: boolean;
  /** How a caller that sent no key is told to send one. */
  hint?: string;
}

/** Which kind of key `token` is, or null. */
export async function keyKind(keys: () => Promise<ApiKeyRecord[]>, token: string): Promise<ApiKeyRecord['kind'] | null> {
  return (await findKey(keys, token))?.kind ?? null;
}

/** The stored key `token` is, or null; every stored hash is compared, in constant time. */
export async function findKey(keys: () => Promise<ApiKeyRecord[]>, token: string): Promise<ApiKeyRecord | null> {
  const hash = Buffer.from(hashKey(token), 'hex');
  let found: ApiKeyRecord | null = null;
  for (const key of await keys()) {
    const stored = Buffer.from(key.hash, 'hex');
    if (stored.length === hash.length && timingSafeEqual(stored, hash)) found = key;
  }
  return found;
}

/** How often a key's last use is written, at most, per process: a busy ingest stream must not write on every request. */
const TOUCH_MS = 60_000;

/** Records a key's use (store.touchApiKey) at most once per TOUCH_MS per key; a failed write is logged, never the request's failure. */
export function keyUseRecorder(store: Pick<Store, 'touchApiKey'>, now: () => number = Date.now): (hash: string) => void {
  const last = new Map<string, number>();
  return (hash) => {
    const t = now();
    if (t - (last.get(hash) ?? -Infinity) < TOUCH_MS) return;
    if (last.size > 10_000) last.clear();
    last.set(hash, t);
    store.touchApiKey(hash, t).catch((err: unknown) => log().warn({ err }, 'could not record when an API key was last used'));
  };
}

/** Methods that only read: a cookie-authenticated request with any other method must carry CSRF_HEADER. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What the auth hook reads of the store. */
export type AuthStore = Pick<Store, 'listApiKeys' | 'touchApiKey' | 'getDashboardUser'>;

/**
 * Runs before the body is read, so an unauthenticated caller cannot make the server parse anything. A bearer
 * key, when sent, decides, and works in its own project only; without one, a dashboard session cookie acts
 * with its role in the project the request names (project-route.ts). Dashboard users and sessions belong to
 * the deployment: they are read from the default project's store.
 */
export function authHook(router: ProjectRouter, sessions?: Sessions, now: () => number = Date.now): onRequestAsyncHookHandler {
  const main = router.main.store;
  const mainKeys = cachedKeys(main, now);
  return async (request: FastifyRequest) => {
    // No route, nothing to protect: the not-found handler answers 404, not a 403 as if the route needed the admin key.
    if (request.is404) return;
    const named = namedProject(request);
    const access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return router.enter(request, named);
    const keyFrom = request.routeOptions.config.keyFrom;
    const token = bearerToken(request.headers.authorization) ?? keyFrom?.header?.(request) ?? null;
    const sessionId = token === null && sessions ? sessionCookie(request) : null;
    if (sessionId !== null) {
      const role = await sessionRole(main, sessions!, mainKeys, sessionId, request);
      if (!roleAllows(role, access)) throw new ApiError(403, `this needs the ${LEAST_ROLE[access]} role or higher; you are signed in as ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`);
      request.role = role;
      if (role === 'admin') request.keyKind = 'admin';
      return router.enter(request, named);
    }
    // The key is in the body (bodyKeyCheck routes it once the body is read).
    if (token === null && keyFrom?.body) return router.enter(request, named);
    if (token === null) throw new ApiError(401, `missing API key: send ${keyFrom?.hint ?? '"Authorization: Bearer <key>"'}`);
    const found = await router.findKey(token);
    if (found === null) throw new ApiError(401, 'invalid API key');
    router.accept(request, found, access !== 'write');
    if (found.key.kind === 'admin') request.role = 'admin';
  };
}

/** The role of a live session; a session whose admin key was revoked, or whose user was disabled or removed, ends here. */
async function sessionRole(store: AuthStore, sessions: Sessions, keys: () => Promise<ApiKeyRecord[]>, id: string, request: FastifyRequest): Promise<DashboardRole> {
  const session = sessions.get(id);
  if (!session) throw new ApiError(401, 'the dashboard session has expired or was signed out; sign in again');
  const role = await liveRole(store, keys, session, request);
  if (role === null) {
    sessions.close(id);
    throw new ApiError(401, session.userId !== undefined ? 'this account was disabled or removed, or its password was reset; sign in again or ask an admin' : 'the admin key this session signed in with was revoked; sign in again');
  }
  // SameSite=Strict already keeps the cookie off cross-site requests; the header is the second lock, for
  // browsers or proxies that get SameSite wrong: a cross-site page cannot set it without a CORS preflight.
  if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== '1') {
    throw new ApiError(403, `a request signed in by the dashboard cookie that changes something needs the header "${CSRF_HEADER}: 1"`);
  }
  return role;
}

/**
 * The role a session acts with now, or null when it may no longer: its admin key revoked, its user disabled or
 * removed. A user's role is read from the store each time, so a change made by any process counts at once.
 */
export async function liveRole(store: AuthStore, keys: () => Promise<ApiKeyRecord[]>, session: Session, request?: FastifyRequest): Promise<DashboardRole | null> {
  if (session.userId !== undefined) {
    const user = await store.getDashboardUser(session.userId);
    if (!user || user.disabled || user.password !== session.password) return null;
    if (request) request.dashboardUser = user;
    return user.role;
  }
  return (await keys()).some((k) => k.kind === 'admin' && k.hash === session.keyHash) ? 'admin' : null;
}
