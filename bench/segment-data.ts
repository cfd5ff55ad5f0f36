/**
 * The data set of the segment benchmark (bench/segment.ts): N profiles and E events, made deterministically
 * from a seed, held in typed arrays (about 17 bytes per event and 40 per profile while loading; nothing per
 * row object), and handed to the loaders row by row.
 *
 * Profiles: plan (free 70 %, pro 20 %, business 10 %), country, signup date, platform, first name, email and,
 * for 85 %, a push token. User ids are "u" + zero-padded numbers, so id order (the scan's order) is number order.
 *
 * Events over the 60 days before LOAD_AT, with a realistic skew: 8 % of users have none; the others' activity
 * is Pareto-distributed (alpha 1.4, capped), so most users have a handful of events and a few thousands. Each
 * user is active over a window of their own, with events uniform in it: its end exponentially distributed
 * before LOAD_AT (mean 5 days, so some users are dormant), its length 1-45 days, cut at 60 days back. Names:
 * App Opened, Viewed Product, Added to Cart (40 / 42 / 18 % of what is not Charged) and Charged (none for
 * 45 % of users, 1-8 % of a buyer's events). Events "arrive" (received_at) 0-2 s after their timestamp, 1 %
 * up to 6 h late (never after LOAD_AT), and are stored in arrival order, as a live system would have stored
 * them: a user's events are spread over the whole table, not clustered.
 */

export const DAY_MS = 86_400_000;
/** Every event happened, and was received, at or before this moment. */
export const LOAD_AT = Date.UTC(2026, 10, 2, 12, 0, 0);
/** The measured journeys are published at this moment, and their one scheduled run is at RUN_AT. */
export const PUBLISH_AT = LOAD_AT + 30_000;
export const RUN_AT = LOAD_AT + 60_000;
export const HISTORY_MS = 60 * DAY_MS;
/** Bumped whenever the generator's output changes, so that a kept database of an older one is not reused. */
export const GENERATOR_VERSION = 1;

export const EVENT_NAMES = ['App Opened', 'Viewed Product', 'Added to Cart', 'Charged'] as const;
const VIEWED = 1;
const CHARGED = 3;
const PLANS = ['free', 'pro', 'business'] as const;
const COUNTRIES = ['US', 'IN', 'BR', 'DE', 'GB', 'FR', 'ID', 'MX', 'JP', 'PT', 'ES', 'CA', 'NG', 'PH', 'TR'] as const;
const COUNTRY_WEIGHTS = [30, 15, 10, 8, 8, 6, 6, 5, 4, 2, 2, 1, 1, 1, 1];
const PLATFORMS = ['ios', 'android', 'web'] as const;
const NAMES = ['Ana', 'Bruno', 'Chen', 'Dana', 'Emeka', 'Fatima', 'Gustavo', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya'] as const;
const CATEGORIES = ['shoes', 'apparel', 'outdoor', 'electronics', 'home', 'beauty', 'toys', 'books'] as const;
const APP_VERSIONS = ['5.2.0', '5.3.1', '5.4.0', '6.0.2'] as const;

export interface DataParams {
  profiles: number;
  events: number;
  seed: number;
}

/** The measured segment (docs/journeys.md "Segments"), as the generator evaluates it itself. */
export const SEGMENT_RULE = { plans: ['pro', 'business'], viewedAtLeast: 3, viewedWithinMs: 7 * DAY_MS, notChargedWithinMs: 30 * DAY_MS } as const;

/** One event row in the column order of the store's events table (less seq): message_id, user_id, name, ts, properties (JSON text), received_at. */
export type EventRow = [string, string, string, number, string, number];

export class Dataset {
  readonly params: DataParams;
  /** How many users match SEGMENT_RULE at RUN_AT, counted from the generated arrays (not from any database). */
  readonly expectedMatches: number;
  readonly summary: string;
  private readonly idWidth: number;
  private readonly messageIdWidth: number;
  // Per user.
  private readonly plan: Uint8Array;
  private readonly country: Uint8Array;
  private readonly platform: Uint8Array;
  private readonly firstName: Uint8Array;
  private readonly hasPush: Uint8Array;
  private readonly signupDay: Uint16Array;
  // Per event, in generation order (by user); `order` lists them in arrival order.
  private readonly user: Int32Array;
  private readonly ts: Float64Array;
  private readonly name: Uint8Array;
  private readonly order: Uint32Array;

  constructor(params: DataParams, log: (line: string) => void = () => {}) {
    this.params = params;
    const { profiles: n, events: e, seed } = params;
    if (!Number.isSafeInteger(n) || n < 1 || n > 99_999_999) throw new Error('--profiles must be a whole number from 1 to 99,999,999');
    if (!Number.isSafeInteger(e) || e < 0 || e > 400_000_000) throw new Error('--events must be a whole number from 0 to 400,000,000');
    this.idWidth = Math.max(6, String(n - 1).length);
    this.messageIdWidth = Math.max(8, String(Math.max(0, e - 1)).length);
    const rng = mulberry32(seed);
    const started = performance.now();

    // 1. Users: traits, activity weight and window.
    this.plan = new Uint8Array(n);
    this.country = new Uint8Array(n);
    this.platform = new Uint8Array(n);
    this.firstName = new Uint8Array(n);
    this.hasPush = new Uint8Array(n);
    this.signupDay = new Uint16Array(n);
    const weight = new Float64Array(n);
    const from = new Float64Array(n);
    const to = new Float64Array(n);
    const chargeShare = new Float32Array(n);
    const countryTotal = COUNTRY_WEIGHTS.reduce((a, b) => a + b, 0);
    let weightSum = 0;
    let active = 0;
    for (let i = 0; i < n; i++) {
      const p = rng();
      this.plan[i] = p < 0.7 ? 0 : p < 0.9 ? 1 : 2;
      let c = rng() * countryTotal;
      let k = 0;
      while (c >= COUNTRY_WEIGHTS[k]! && k < COUNTRY_WEIGHTS.length - 1) c -= COUNTRY_WEIGHTS[k++]!;
      this.country[i] = k;
      this.platform[i] = Math.floor(rng() * PLATFORMS.length);
      this.firstName[i] = Math.floor(rng() * NAMES.length);
      this.hasPush[i] = rng() < 0.85 ? 1 : 0;
      this.signupDay[i] = 60 + Math.floor(rng() * 730); // signed up 60 days to 2 years before LOAD_AT
      if (rng() < 0.08) continue; // no events at all
      active++;
      weight[i] = Math.min(3_000, (1 - rng()) ** (-1 / 1.4));
      weightSum += weight[i]!;
      const end = LOAD_AT - Math.min(HISTORY_MS - DAY_MS, -Math.log(1 - rng()) * 5 * DAY_MS);
      const length = (1 + rng() * 44) * DAY_MS;
      to[i] = end;
      from[i] = Math.max(LOAD_AT - HISTORY_MS, end - length);
      chargeShare[i] = rng() < 0.45 ? 0 : 0.01 + rng() * 0.07;
    }

    // 2. Events per user: the weights scaled to exactly E.
    const count = new Int32Array(n);
    let assigned = 0;
    if (active > 0) {
      for (let i = 0; i < n; i++) {
        count[i] = Math.floor((weight[i]! * e) / weightSum);
        assigned += count[i]!;
      }
      while (assigned < e) {
        const i = Math.floor(rng() * n);
        if (weight[i]! > 0) {
          count[i]!++;
          assigned++;
        }
      }
    }

    // 3. The events, user by user, with the generator's own count of the segment as it goes.
    this.user = new Int32Array(e);
    this.ts = new Float64Array(e);
    this.name = new Uint8Array(e);
    const viewed = new Uint16Array(n);
    const charged = new Uint8Array(n);
    const viewedFrom = RUN_AT - SEGMENT_RULE.viewedWithinMs;
    const chargedFrom = RUN_AT - SEGMENT_RULE.notChargedWithinMs;
    let p = 0;
    for (let i = 0; i < n; i++) {
      const a = from[i]!;
      const span = to[i]! - a;
      const c = chargeShare[i]!;
      for (let j = 0; j < count[i]!; j++, p++) {
        const t = Math.floor(a + rng() * span);
        const r = rng();
        const name = r < c ? CHARGED : ((r - c) / (1 - c) < 0.4 ? 0 : (r - c) / (1 - c) < 0.82 ? VIEWED : 2);
        this.user[p] = i;
        this.ts[p] = t;
        this.name[p] = name;
        // Windows as in src/core/segment.ts: (now - last, now]; nothing here is later than RUN_AT.
        if (name === VIEWED && t > viewedFrom && t <= RUN_AT && viewed[i]! < 65_535) viewed[i]!++;
        if (name === CHARGED && t > chargedFrom && t <= RUN_AT) charged[i] = 1;
      }
    }
    let matches = 0;
    for (let i = 0; i < n; i++) {
      if (this.plan[i]! >= 1 && viewed[i]! >= SEGMENT_RULE.viewedAtLeast && charged[i] === 0) matches++;
    }
    this.expectedMatches = matches;

    // 4. Arrival order: a counting sort on the second of received_at.
    const base = LOAD_AT - HISTORY_MS;
    const buckets = HISTORY_MS / 1000 + 1;
    const starts = new Uint32Array(buckets + 1);
    for (let q = 0; q < e; q++) starts[Math.floor((this.receivedAt(q) - base) / 1000) + 1]!++;
    for (let b = 1; b <= buckets; b++) starts[b]! += starts[b - 1]!;
    this.order = new Uint32Array(e);
    for (let q = 0; q < e; q++) this.order[starts[Math.floor((this.receivedAt(q) - base) / 1000)]!++] = q;

    const sorted = Int32Array.from(count).sort();
    const top = Math.max(1, Math.floor(n / 100));
    let topEvents = 0;
    for (let i = n - top; i < n; i++) topEvents += sorted[i]!;
    this.summary =
      `${n.toLocaleString('en-US')} profiles (${active.toLocaleString('en-US')} with events), ${e.toLocaleString('en-US')} events; events per user: ` +
      `median ${sorted[Math.floor(n / 2)]}, p90 ${sorted[Math.floor(n * 0.9)]}, p99 ${sorted[Math.floor(n * 0.99)]}, max ${sorted[n - 1]}; ` +
      `the top 1 % of users have ${e === 0 ? 0 : ((100 * topEvents) / e).toFixed(0)} % of the events`;
    log(`generated in ${((performance.now() - started) / 1000).toFixed(1)} s: ${this.summary}`);
  }

  userId(i: number): string {
    return `u${String(i).padStart(this.idWidth, '0')}`;
  }

  /** Trait keys every profile may have, for the store's trait_names. */
  static readonly TRAIT_NAMES = ['firstName', 'email', 'plan', 'country', 'signupDate', 'platform', 'pushToken'] as const;

  traits(i: number): Record<string, unknown> {
    const id = this.userId(i);
    const traits: Record<string, unknown> = {
      firstName: NAMES[this.firstName[i]!],
      email: `${id}@example.com`,
      plan: PLANS[this.plan[i]!],
      country: COUNTRIES[this.country[i]!],
      signupDate: new Date(LOAD_AT - this.signupDay[i]! * DAY_MS).toISOString().slice(0, 10),
      platform: PLATFORMS[this.platform[i]!],
    };
    if (this.hasPush[i]) traits.pushToken = `tok-${id}`;
    return traits;
  }

  /** The k-th event in arrival order (seq order once stored). */
  event(k: number): EventRow {
    const q = this.order[k]!;
    const i = this.user[q]!;
    const h = hash32(q ^ Math.imul(this.params.seed, 0x9e3779b1));
    const name = this.name[q]!;
    let properties: Record<string, unknown>;
    const product = `SKU-${1000 + (h % 5000)}`;
    const category = CATEGORIES[(h >>> 13) % CATEGORIES.length];
    const price = (499 + ((h >>> 7) % 20_000)) / 100;
    if (name === 0) properties = { platform: PLATFORMS[this.platform[i]!], appVersion: APP_VERSIONS[(h >>> 3) % APP_VERSIONS.length] };
    else if (name === VIEWED) properties = { productId: product, category, price };
    else if (name === 2) properties = { productId: product, category, price, quantity: 1 + (h % 3) };
    else properties = { orderId: `o-${k}`, amount: Math.round(price * (1 + (h % 3)) * 100) / 100, currency: 'USD', items: 1 + (h % 4) };
    return [`ev${String(k).padStart(this.messageIdWidth, '0')}`, this.userId(i), EVENT_NAMES[name]!, this.ts[q]!, JSON.stringify(properties), this.receivedAt(q)];
  }

  /** Every event of these users (by index), in arrival order: one pass over all events, for spot checks. */
  eventsOf(users: ReadonlySet<number>): EventRow[] {
    const rows: EventRow[] = [];
    for (let k = 0; k < this.params.events; k++) if (users.has(this.user[this.order[k]!]!)) rows.push(this.event(k));
    return rows;
  }

  /** Days (UTC day numbers) that have events received in them. */
  receivedDays(): { first: number; last: number } {
    return { first: Math.floor((LOAD_AT - HISTORY_MS) / DAY_MS), last: Math.floor(LOAD_AT / DAY_MS) };
  }

  private receivedAt(q: number): number {
    const h = hash32(Math.imul(q, 0x9e3779b1) ^ this.params.seed);
    const delay = h % 100 === 0 ? h % 21_600_000 : h % 2_000;
    return Math.min(LOAD_AT, this.ts[q]! + delay);
  }
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}
