/**
 * When a message that failed for a passing reason is tried again: exponential backoff with "equal jitter" (the
 * wait is uniform between half and all of base * 2^(attempt-1), capped), so that many messages refused at once
 * by a provider do not come back at once, while the attempts still span at least half the schedule: a provider
 * down for less than that loses nothing. (With full jitter, from 0, 1% of the messages of a 10-minute outage
 * used up their 8 attempts inside it and were dead-lettered.) A provider's Retry-After wins when it gives one.
 * After the last attempt the message is dead-lettered. Pure: the random source is injected.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included; the last failed one dead-letters the message. */
  maxAttempts: number;
  /** The ceiling of the first wait (after attempt 1); it doubles with each attempt. */
  baseMs: number;
  /** No wait is longer, Retry-After included. */
  capMs: number;
}

/**
 * 8 attempts over 32 to 64 minutes: the ceilings of the 7 waits are 30 s, 1, 2, 4, 8, 16 and 32 min (63.5 min in
 * all), each wait at least half its ceiling (31.75 min in all, 47.6 on average).
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseMs: 30_000, capMs: 3_600_000 };

export type RetryDecision = { retry: true; at: number } | { retry: false };

/**
 * After attempt number `attempt` (1 for the first) failed transiently at `now`: when to try again, or not
 * at all (the last attempt). `random` returns a number in [0, 1), like Math.random.
 */
export function nextAttempt(attempt: number, now: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): RetryDecision {
  if (attempt >= policy.maxAttempts) return { retry: false };
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) return { retry: true, at: now + Math.min(Math.ceil(retryAfterMs), policy.capMs) };
  // 2 ** (attempt - 1) overflows nothing: attempt is below maxAttempts, and the cap bounds the product.
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt - 1, 52));
  return { retry: true, at: now + Math.floor(ceiling / 2 + random() * (ceiling / 2)) };
}

/**
 * A Retry-After header (RFC 9110: delay in seconds, or an HTTP date) as milliseconds from `now`; undefined
 * when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined | null, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (!/[a-z]/i.test(text) || Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
