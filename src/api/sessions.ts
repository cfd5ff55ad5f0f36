/**
 * Dashboard sessions: random ids kept in this process's memory (as SHA-256 hashes), not signed cookies, so
 * signing out, revoking the admin key and disabling a user take effect at once and no signing secret has to be configured and
 * shared. The cost: a restart signs everyone out, and behind several api processes a load balancer must keep
 * a browser on one process (sticky sessions) or it will be asked to sign in again.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {} from '@fastify/cookie'; // its types: request.cookies
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'waymark_session';
/** Cookie-authenticated requests that change something must carry it: a cross-site page cannot set it. */
export const CSRF_HEADER = 'x-waymark-csrf';
export const SESSION_MS = 12 * 60 * 60 * 1000;
/** Sessions kept at most; past it the oldest goes. Only the team makes sessions, so this is a backstop. */
const MAX_SESSIONS = 10_000;

/** Who a session was opened by: the admin key, or a dashboard user. */
export type SessionOwner =
  /** SHA-256 of the admin key it was opened with: revoking that key ends the session. */
  | { keyHash: string; userId?: undefined; password?: undefined }
  /** A dashboard user, and its password hash at sign-in: a password reset elsewhere ends the session (auth.ts). */
  | { userId: string; password: string; keyHash?: undefined };

export type Session = SessionOwner & { expiresAt: number };

export class Sessions {
  readonly #byHash = new Map<string, Session>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = SESSION_MS,
    private readonly max = MAX_SESSIONS,
  ) {}

  /** Opens a session and returns its id, the cookie's value; only its hash is kept. */
  open(owner: SessionOwner): { id: string; expiresAt: number } {
    this.#purge();
    while (this.#byHash.size >= this.max) this.#byHash.delete(this.#byHash.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.#byHash.set(idHash(id), { ...owner, expiresAt });
    return { id, expiresAt };
  }

  /** The live session of this id, or null (unknown, signed out, or expired). */
  get(id: string): Session | null {
    const hash = idHash(id);
    const session = this.#byHash.get(hash);
    if (!session) return null;
    if (session.expiresAt <= this.now()) {
      this.#byHash.delete(hash);
      return null;
    }
    return session;
  }

  close(id: string): void {
    this.#byHash.delete(idHash(id));
  }

  /** After the user of session `id` changed its own password: the session goes on, under the new hash. */
  rebind(id: string, password: string): void {
    const session = this.get(id);
    if (session?.userId !== undefined) this.#byHash.set(idHash(id), { ...session, password });
  }

  get size(): number {
    return this.#byHash.size;
  }

  #purge(): void {
    const now = this.now();
    for (const [hash, session] of this.#byHash) if (session.expiresAt <= now) this.#byHash.delete(hash);
  }
}

/** Looked up by a hash of the id, so the map never holds a usable cookie value. */
function idHash(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('hex');
}

export function sessionCookie(request: FastifyRequest): string | null {
  const value = request.cookies?.[SESSION_COOKIE];
  return typeof value === 'string' && value.length > 0 ? value : null;
}
