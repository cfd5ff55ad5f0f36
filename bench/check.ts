/**
 * Checks a send log against a workload's expected.json: missing, unexpected, duplicate and after-conversion
 * sends, and lateness percentiles. Reads expected.json line by line into typed arrays (users are u0..uN-1),
 * so a million users cost a few megabytes.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const CHANNELS = ['push', 'sms', 'email'] as const;
type SendChannel = (typeof CHANNELS)[number];

export interface Expected {
  users: number;
  params: { users: number; spanMs: number; windowMs: number; delayMs: number; seed: number };
  counts: { push: number; sms: number; email: number; total: number; entered: number };
  lastDueAt: number;
  /** Due time (ms after t0) per channel per user; NaN when the user must not get it. */
  due: Record<SendChannel, Float64Array>;
  chargedAt: Float64Array;
}

export async function readExpected(file: string): Promise<Expected> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let head = '';
  let phase: 'head' | 'recipients' | 'users' = 'head';
  let expected: Expected | null = null;
  for await (const raw of lines) {
    const trimmed = raw.trim();
    if (phase === 'head') {
      if (trimmed.startsWith('"recipients"')) phase = 'recipients';
      else head += `${raw}\n`;
      continue;
    }
    if (phase === 'recipients') {
      if (trimmed !== '"users": [') continue;
      // The head (params, counts) closes here, so the arrays can be sized before the users stream in.
      const parsed = JSON.parse(`${head.trimEnd().replace(/,$/, '')}}`);
      const n = parsed.params.users as number;
      const fill = () => new Float64Array(n).fill(Number.NaN);
      expected = { users: n, params: parsed.params, counts: parsed.counts, lastDueAt: parsed.lastDueAt, due: { push: fill(), sms: fill(), email: fill() }, chargedAt: fill() };
      phase = 'users';
      continue;
    }
    const line = raw.trim().replace(/,$/, '');
    if (!line.startsWith('{')) continue;
    const user = JSON.parse(line) as { userId: string; chargedAt: number | null; sends: Partial<Record<SendChannel, number>> };
    const i = userIndex(user.userId);
    if (user.chargedAt !== null) expected!.chargedAt[i] = user.chargedAt;
    for (const ch of CHANNELS) if (user.sends[ch] !== undefined) expected!.due[ch][i] = user.sends[ch]!;
  }
  if (!expected) throw new Error(`${file}: no "users" list found; is this a cart-workload/v1 expected.json?`);
  return expected;
}

export function userIndex(userId: string): number {
  return Number(userId.slice(1));
}

export interface CheckReport {
  sends: number;
  missing: number;
  unexpected: number;
  duplicate: number;
  afterConversion: number;
  errors: number;
  lateness: { p50: number; p95: number; p99: number; max: number; min: number };
  examples: string[];
}

/** The value at quantile `q` (0 to 1; 1 is the largest) of sorted values; 0 when there are none. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Collects sends one at a time; `sentAt` in ms after t0. */
export class SendChecker {
  private readonly seen: Record<SendChannel, Uint8Array>;
  private readonly lateness: number[] = [];
  /** The due time of each lateness above, for the timeline of a long run. */
  private readonly dues: number[] = [];
  private unexpected = 0;
  private duplicate = 0;
  private afterConversion = 0;
  private sends = 0;
  private readonly examples: string[] = [];

  constructor(private readonly expected: Expected) {
    this.seen = { push: new Uint8Array(expected.users), sms: new Uint8Array(expected.users), email: new Uint8Array(expected.users) };
  }

  add(userId: string, channel: string, sentAt: number): void {
    this.sends++;
    const i = userIndex(userId);
    const ch = channel as SendChannel;
    const due = this.expected.due[ch]?.[i];
    if (due === undefined || Number.isNaN(due)) {
      this.unexpected++;
      this.example(`unexpected ${channel} to ${userId} at +${sentAt}`);
      return;
    }
    if (this.seen[ch][i]! > 0) {
      this.duplicate++;
      this.example(`duplicate ${channel} to ${userId}`);
      return;
    }
    this.seen[ch][i] = 1;
    const charged = this.expected.chargedAt[i]!;
    if (!Number.isNaN(charged) && sentAt > charged) {
      this.afterConversion++;
      this.example(`${channel} to ${userId} at +${sentAt}, after Charged at +${charged}`);
    }
    this.lateness.push(sentAt - due);
    this.dues.push(due);
  }

  /** Lateness by stretch of due time (`bucketMs` each, from t0): how a long run's p99 moves. */
  timeline(bucketMs: number): Array<{ fromMs: number; sends: number; p99: number; max: number }> {
    const buckets = new Map<number, number[]>();
    for (let i = 0; i < this.lateness.length; i++) {
      const b = Math.floor(this.dues[i]! / bucketMs);
      const list = buckets.get(b);
      if (list) list.push(this.lateness[i]!);
      else buckets.set(b, [this.lateness[i]!]);
    }
    return [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([b, list]) => {
        const sorted = Float64Array.from(list).sort();
        return { fromMs: b * bucketMs, sends: list.length, p99: quantile(sorted, 0.99), max: quantile(sorted, 1) };
      });
  }

  report(): CheckReport {
    let missing = 0;
    for (const ch of CHANNELS) {
      const due = this.expected.due[ch];
      for (let i = 0; i < this.expected.users; i++) {
        if (!Number.isNaN(due[i]!) && this.seen[ch][i] === 0) {
          missing++;
          this.example(`missing ${ch} to u${i} due at +${due[i]}`);
        }
      }
    }
    const sorted = Float64Array.from(this.lateness).sort();
    const at = (q: number) => quantile(sorted, q);
    return {
      sends: this.sends,
      missing,
      unexpected: this.unexpected,
      duplicate: this.duplicate,
      afterConversion: this.afterConversion,
      errors: missing + this.unexpected + this.duplicate + this.afterConversion,
      lateness: { min: at(0), p50: at(0.5), p95: at(0.95), p99: at(0.99), max: at(1) },
      examples: this.examples,
    };
  }

  private example(text: string): void {
    if (this.examples.length < 10) this.examples.push(text);
  }
}
