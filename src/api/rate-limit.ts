/**
 * Requests per key: a token bucket for each API key, refilled at `perSecond`, holding at most `burst`. A request
 * beyond it is a 429 with Retry-After naming the limit, before its body is read. Per process: N api processes
 * let a key through N times as fast. Requests without a key (public routes, the dashboard's session) are not
 * counted here. The default, 500 a second per key, is Segment's own limit for its tracking API, so an app that
 * sends through Segment's SDK today is never refused for its rate.
 */
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type {} from './auth.ts'; // its request field keyHash
import { ApiError } from './errors.ts';

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 500, burst: 1_000 };

/** Buckets kept at the most; beyond, full ones are forgotten (a full bucket is the same as none). */
const MAX_BUCKETS = 10_000;

export function rateLimitHook(limit: RateLimit, now: () => number = Date.now): onRequestAsyncHookHandler {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const perMs = limit.perSecond / 1000;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    // The key's hash as the auth hook found it (no key, or the dashboard's session: nothing to count against).
    const id = request.keyHash;
    if (id === undefined) return;
    const t = now();
    const bucket = buckets.get(id) ?? { tokens: limit.burst, at: t };
    bucket.tokens = Math.min(limit.burst, bucket.tokens + Math.max(0, t - bucket.at) * perMs);
    bucket.at = t;
    if (bucket.tokens < 1) {
      buckets.set(id, bucket);
      const waitS = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      void reply.header('retry-after', String(waitS));
      throw new ApiError(429, `too many requests with this key: at most ${limit.perSecond} a second (bursts of ${limit.burst}); retry after ${waitS} s`);
    }
    bucket.tokens -= 1;
    buckets.set(id, bucket);
    if (buckets.size > MAX_BUCKETS) {
      for (const [key, b] of buckets) if (b.tokens + (t - b.at) * perMs >= limit.burst) buckets.delete(key);
    }
  };
}
