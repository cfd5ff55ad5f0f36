/**
 * Failed dashboard sign-ins, counted per email and per client address in this process's memory: past the
 * limit within the window, that email (or address) is refused with 429 until the window ends, whether the
 * password is right or not, and whether the email exists or not (the answer says nothing of either). Each
 * attempt also costs a scrypt verification (passwords.ts), which slows a guesser that stays under the limit.
 * Per process: N api processes allow N times the attempts (docs/security.md).
 */
import { ApiError } from './errors.ts';

export interface SignInLimit {
  /** Failures allowed per email within the window. */
  perEmail: number;
  /** Failures allowed per client address within the window (an office shares one). */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMIT: SignInLimit = { perEmail: 5, perAddress: 20, windowMs: 15 * 60_000 };

/** Counters kept at most; the oldest go past it (a backstop against a flood of made-up emails). */
const MAX_COUNTERS = 50_000;

interface Counter {
  failures: number;
  /** When the window of the first failure ends and the counter is forgotten. */
  until: number;
}

export class SignInLimiter {
  readonly #counters = new Map<string, Counter>();

  constructor(
    private readonly limit: SignInLimit = DEFAULT_SIGN_IN_LIMIT,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws 429 when this email or address has failed too often; call before checking the password. */
  check(email: string | null, address: string): void {
    const waits = [this.#blocked(`e:${email?.toLowerCase()}`, email !== null ? this.limit.perEmail : Infinity), this.#blocked(`a:${address}`, this.limit.perAddress)];
    const wait = Math.max(0, ...waits.filter((w): w is number => w !== null));
    if (waits.some((w) => w !== null)) {
      const minutes = Math.max(1, Math.ceil(wait / 60_000));
      throw new ApiError(429, `too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
    }
  }

  failed(email: string | null, address: string): void {
    if (email !== null) this.#count(`e:${email.toLowerCase()}`);
    this.#count(`a:${address}`);
  }

  /** A right password clears its email's failures (not the address's: one good account must not unlock guessing at others). */
  succeeded(email: string): void {
    this.#counters.delete(`e:${email.toLowerCase()}`);
  }

  /** Milliseconds until `key` may try again, or null when it may now. */
  #blocked(key: string, max: number): number | null {
    const counter = this.#live(key);
    return counter && counter.failures >= max ? counter.until - this.now() : null;
  }

  #live(key: string): Counter | null {
    const counter = this.#counters.get(key);
    if (counter && counter.until <= this.now()) {
      this.#counters.delete(key);
      return null;
    }
    return counter ?? null;
  }

  #count(key: string): void {
    const counter = this.#live(key) ?? { failures: 0, until: this.now() + this.limit.windowMs };
    counter.failures += 1;
    this.#counters.delete(key); // re-inserted last: the map then holds the least recently failed first
    this.#counters.set(key, counter);
    while (this.#counters.size > MAX_COUNTERS) this.#counters.delete(this.#counters.keys().next().value!);
  }
}
