/**
 * Access control: a bearer key, or the dashboard's session cookie (which counts as the admin key). Each route
 * declares who may call it in `config.access`; undeclared routes are admin-only, so a route added without
 * thought fails closed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ApiKeyRecord, Store } from '../store/store.ts';
import { ApiError } from './errors.ts';
import { CSRF_HEADER, sessionCookie, type Sessions } from './sessions.ts';

/** public: no key. write: the write key (event and profile ingestion) or the admin key. admin: the admin key. */
export type Access = 'public' | 'write' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Where else a route takes its key (compatible ingestion); "Authorization: Bearer" comes first. */
    keyFrom?: KeySource;
  }
  interface FastifyRequest {
    keyKind?: ApiKeyRecord['kind'];
  }
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
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
  const hash = Buffer.from(hashKey(token), 'hex');
  let kind: ApiKeyRecord['kind'] | null = null;
  for (const key of await keys()) {
    const stored = Buffer.from(key.hash, 'hex');
    if (stored.length === hash.length && timingSafeEqual(stored, hash)) kind = key.kind;
  }
  return kind;
}

/** Methods that only read: a cookie-authenticated request with any other method must carry CSRF_HEADER. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Runs before the body is read, so an unauthenticated caller cannot make the server parse anything. A bearer
 * key, when sent, decides; without one, a dashboard session cookie stands for the admin key.
 */
export function authHook(store: Pick<Store, 'listApiKeys'>, sessions?: Sessions, now: () => number = Date.now): onRequestAsyncHookHandler {
  const keys = cachedKeys(store, now);
  return async (request: FastifyRequest) => {
    // No route, nothing to protect: the not-found handler answers 404, not a 403 as if the route needed the admin key.
    if (request.is404) return;
    const access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const keyFrom = request.routeOptions.config.keyFrom;
    const token = bearerToken(request.headers.authorization) ?? keyFrom?.header?.(request) ?? null;
    const sessionId = token === null && sessions ? sessionCookie(request) : null;
    if (sessionId !== null) {
      request.keyKind = await sessionKind(sessions!, keys, sessionId, request);
      return;
    }
    if (token === null && keyFrom?.body) return;
    if (token === null) throw new ApiError(401, `missing API key: send ${keyFrom?.hint ?? '"Authorization: Bearer <key>"'}`);
    const kind = await keyKind(keys, token);
    if (kind === null) throw new ApiError(401, 'invalid API key');
    if (access === 'admin' && kind !== 'admin') throw new ApiError(403, 'this route needs the admin key; the write key only sends events and profiles');
    request.keyKind = kind;
  };
}

async function sessionKind(sessions: Sessions, keys: () => Promise<ApiKeyRecord[]>, id: string, request: FastifyRequest): Promise<'admin'> {
  const session = sessions.get(id);
  if (!session) throw new ApiError(401, 'the dashboard session has expired or was signed out; sign in again');
  if (!(await keys()).some((k) => k.kind === 'admin' && k.hash === session.keyHash)) {
    sessions.close(id);
    throw new ApiError(401, 'the admin key this session signed in with was revoked; sign in again');
  }
  // SameSite=Strict already keeps the cookie off cross-site requests; the header is the second lock, for
  // browsers or proxies that get SameSite wrong: a cross-site page cannot set it without a CORS preflight.
  if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== '1') {
    throw new ApiError(403, `a request signed in by the dashboard cookie that changes something needs the header "${CSRF_HEADER}: 1"`);
  }
  return 'admin';
}
