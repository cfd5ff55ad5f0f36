/**
 * A provider's limits, shared by every batch its sender is given (the dispatcher hands it the next batch
 * while the last is still in flight): at most `concurrency` requests in flight, and, with `ratePerSecond`,
 * at most that many started a second (a token bucket holding one second's worth, so a burst after a quiet
 * spell is one second's worth at most). A provider answering in 100 ms takes 10 requests a second on each
 * slot, so throughput is about concurrency x 10 (bench/delivery.ts measures it), capped by the rate.
 * Waiting requests start in the order they came. The clock is injected, for tests that compute start times
 * by hand.
 */
import Type from 'typebox';

export const MAX_CONCURRENCY = 1_000;
export const MAX_RATE_PER_SECOND = 100_000;
/** What Limiter.run gives for a task it did not start. */
export const SKIPPED: unique symbol = Symbol('skipped');

/** The `ratePerSecond` field of every provider's settings (providers.ts). */
export const RatePerSecond = Type.Optional(
  Type.Integer({ minimum: 1, maximum: MAX_RATE_PER_SECOND, description: "Requests started a second at most (a token bucket: bursts of one second's worth), for a provider that limits the rate rather than the requests in flight. Default: no limit" }),
);

export interface LimiterClock {
  /** Milliseconds, monotonic. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: LimiterClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface Limits {
  concurrency: number;
  ratePerSecond?: number;
}

export class Limiter {
  private running = 0;
  /** Requests waiting for a slot, first come first served. */
  private readonly waiting: Array<() => void> = [];
  private tokens: number;
  private refilledAt: number;
  /** Slot holders take their token one after another, so each waits for its own. */
  private tokenTurn: Promise<void> = Promise.resolve();

  constructor(
    readonly limits: Limits,
    private readonly clock: LimiterClock = realClock,
  ) {
    this.tokens = limits.ratePerSecond ?? 0;
    this.refilledAt = clock.now();
  }

  /**
   * Runs `task` once a slot and a token are free, unless `mayStart` (asked at that moment) says no: then the
   * task never runs and the result is SKIPPED.
   */
  async run<R>(task: () => Promise<R>, mayStart?: () => boolean): Promise<R | typeof SKIPPED> {
    await this.slot();
    try {
      if (this.limits.ratePerSecond !== undefined) await this.token();
      if (mayStart && !mayStart()) {
        if (this.limits.ratePerSecond !== undefined) this.tokens += 1; // nothing was started with it
        return SKIPPED;
      }
      return await task();
    } finally {
      this.release();
    }
  }

  /** Each item through `send`, under the limits; the results of those started, in the order they ended, each also to `ended` as it does. */
  async all<T, R>(items: readonly T[], send: (item: T) => Promise<R>, mayStart?: (item: T) => boolean, ended?: (result: R) => void): Promise<R[]> {
    const results: R[] = [];
    await Promise.all(
      items.map(async (item) => {
        const result = await this.run(() => send(item), mayStart && (() => mayStart(item)));
        if (result === SKIPPED) return;
        results.push(result);
        ended?.(result);
      }),
    );
    return results;
  }

  private slot(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next(); // the slot passes to it: running stays the same
    else this.running -= 1;
  }

  private token(): Promise<void> {
    const turn = this.tokenTurn.then(async () => {
      const rate = this.limits.ratePerSecond!;
      this.refill(rate);
      if (this.tokens < 1) {
        await this.clock.sleep(((1 - this.tokens) * 1000) / rate);
        this.refill(rate);
      }
      this.tokens -= 1;
    });
    this.tokenTurn = turn;
    return turn;
  }

  private refill(rate: number): void {
    const now = this.clock.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) * rate) / 1000);
    this.refilledAt = now;
  }
}

/**
 * This thread's share of each provider's limits: 1, or 1/N in each of the N engine threads of a database split
 * by user (engine/thread/engine-thread.ts), whose dispatchers send side by side. Users are spread evenly by a
 * hash, so each thread takes an even share. A thread's own module state: each worker thread loads its own.
 */
let limitShare = 1;

export function shareLimits(share: number): void {
  limitShare = share;
}

/** The limiter of a provider's settings: their concurrency (else `concurrency`), and their rate if any; this thread's share of each. */
export function limiterOf(settings: { concurrency?: number; ratePerSecond?: number }, concurrency: number, clock?: LimiterClock): Limiter {
  const share = (limit: number) => Math.max(1, Math.ceil(limit * limitShare));
  return new Limiter({ concurrency: share(settings.concurrency ?? concurrency), ...(settings.ratePerSecond === undefined ? {} : { ratePerSecond: share(settings.ratePerSecond) }) }, clock);
}
