/**
 * A small abandoned-cart workload for tests, with the exact messages a correct run sends. Users fall in four
 * classes: A converts inside the inaction window (never enters), B converts between push and SMS, C never
 * converts, E converts between SMS and email. Deterministic: the same options give the same files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Channel = 'push' | 'sms' | 'email';
export type UserClass = 'A' | 'B' | 'C' | 'E';

export interface WorkloadOptions {
  users: number;
  /** Cart events fall in [0, spanMs). */
  spanMs: number;
  windowMs: number;
  delayMs: number;
  /** How many users (from user 0 on) share the very first cart millisecond. */
  sameMillisecond?: number;
}

export interface ExpectedUser {
  userId: string;
  name: string;
  cls: UserClass;
  product: string;
  cartAt: number;
  chargedAt: number | null;
  /** Channel -> ms after the start at which it must be sent. */
  sends: Partial<Record<Channel, number>>;
}

const PRODUCTS = ['Trail Running Shoes', 'Rain Jacket', 'Yoga Mat', 'Espresso Grinder'];
const NAMES = ['Ana', 'Bo', 'Chen', 'Dara', 'Eli', 'Femi', 'Gus'];

export function cartWorkload(options: WorkloadOptions): ExpectedUser[] {
  const { users: n, spanMs, windowMs: w, delayMs: d } = options;
  const counts: [UserClass, number][] = [
    ['A', Math.round(n * 0.3)],
    ['B', Math.round(n * 0.2)],
    ['E', Math.round(n * 0.05)],
  ];
  counts.push(['C', n - counts.reduce((sum, [, c]) => sum + c, 0)]);
  const classes: UserClass[] = counts.flatMap(([cls, c]) => Array<UserClass>(c).fill(cls));
  // A fixed shuffle (LCG) so classes are spread over time.
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
  for (let i = classes.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [classes[i], classes[j]] = [classes[j]!, classes[i]!];
  }
  const chargeOffset: Record<UserClass, number | null> = { A: Math.round(w / 4), B: w + Math.round(d / 2), C: null, E: w + d + Math.round(d / 2) };
  const due: Record<Channel, number> = { push: w, sms: w + d, email: w + 2 * d };
  const gets: Record<UserClass, Channel[]> = { A: [], B: ['push'], C: ['push', 'sms', 'email'], E: ['push', 'sms'] };
  const same = options.sameMillisecond ?? 0;
  return classes.map((cls, i) => {
    const cartAt = i < same ? 1_000 : 1_000 + ((i * 7_919) % spanMs);
    const off = chargeOffset[cls];
    return {
      userId: `u${i}`,
      name: `${NAMES[i % NAMES.length]} ${i}`,
      cls,
      product: PRODUCTS[i % PRODUCTS.length]!,
      cartAt,
      chargedAt: off === null ? null : cartAt + off,
      sends: Object.fromEntries(gets[cls].map((ch) => [ch, cartAt + due[ch]])),
    };
  });
}

/** Writes DIR/profiles.ndjson and DIR/events.ndjson (workload form, sorted by `at`, carts before charges). */
export function writeWorkload(dir: string, users: ExpectedUser[]): { profiles: string; events: string } {
  mkdirSync(dir, { recursive: true });
  const profiles = users.map((u, i) => {
    const traits = { name: u.name, email: `${u.userId}@example.test`, phone: `+1555000${String(i).padStart(4, '0')}`, pushToken: `tok-${u.userId}` };
    // Both accepted profile shapes.
    return JSON.stringify(i % 2 === 0 ? { userId: u.userId, ...traits } : { userId: u.userId, traits });
  });
  const events: [number, number, number, string][] = [];
  users.forEach((u, i) => {
    events.push([u.cartAt, i, 0, JSON.stringify({ at: u.cartAt, userId: u.userId, event: 'Added to Cart', properties: { productName: u.product, price: 10 + i, currency: 'USD' } })]);
    if (u.chargedAt !== null) events.push([u.chargedAt, i, 1, JSON.stringify({ at: u.chargedAt, userId: u.userId, event: 'Charged', properties: { amount: 10 + i } })]);
  });
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
  const files = { profiles: join(dir, 'profiles.ndjson'), events: join(dir, 'events.ndjson') };
  writeFileSync(files.profiles, `${profiles.join('\n')}\n`);
  writeFileSync(files.events, `${events.map((e) => e[3]).join('\n')}\n`);
  return files;
}

/** The sends a correct run makes, as "userId channel ISO-time" lines, sorted. */
export function expectedSends(users: ExpectedUser[], start: number): string[] {
  return users
    .flatMap((u) => Object.entries(u.sends).map(([ch, at]) => `${u.userId} ${ch} ${new Date(start + at).toISOString()}`))
    .sort();
}
