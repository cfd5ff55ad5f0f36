/**
 * Bearer-key access control. Each route declares who may call it in `config.access`; undeclared routes are
 * admin-only, so a route added without thought fails closed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ApiKeyRecord, Store } from '../store/store.ts';
import { ApiError } from './errors.ts';

/** public: no key. write: the write key (event and profile ingestion) or the admin key. admin: the admin key. */
export type Access = 'public' | 'write' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
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

/** Reads the stored keys at most once per KEY_CACHE_MS, not on every request of a busy ingest stream. */
export function cachedKeys(store: Store, now: () => number = Date.now): () => Promise<ApiKeyRecord[]> {
  let cached: { at: number; keys: Promise<ApiKeyRecord[]> } | null = null;
  return () => {
    if (cached === null || now() - cached.at > KEY_CACHE_MS) {
      const keys = store.listApiKeys();
      cached = { at: now(), keys };
      keys.catch(() => (cached = null));
    }
    return cached.keys;
  };
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

/** Runs before the body is read, so an unauthenticated caller cannot make the server parse anything. */
export function authHook(store: Store): onRequestAsyncHookHandler {
  const keys = cachedKeys(store);
  return async (request: FastifyRequest) => {
    const access = request.routeOptions.config.access ?? 'admin';
    if (access === 'public') return;
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw new ApiError(401, 'missing API key: send "Authorization: Bearer <key>"');
    const kind = await keyKind(keys, token);
    if (kind === null) throw new ApiError(401, 'invalid API key');
    if (access === 'admin' && kind !== 'admin') throw new ApiError(403, 'this route needs the admin key; the write key only sends events and profiles');
    request.keyKind = kind;
  };
}
