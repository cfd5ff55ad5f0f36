/**
 * Generator of the abandoned-cart workload format (cart-workload/v1): profiles.ndjson, events.ndjson sorted
 * by `at`, and expected.json with every send a correct engine makes and when. Output is a pure function of
 * the parameters. Users fall in four classes (shares exact, membership shuffled by the seed):
 *   A 30%  Charged at +W/4 (inside the inaction window): never enters, gets nothing
 *   B 20%  Charged at +W + D/2 (between Push and SMS): Push
 *   C 45%  never charges: Push, SMS, Email
 *   E  5%  Charged at +W + 3D/2 (between SMS and Email): Push, SMS
 * Due times: Push at cart + W, SMS at cart + W + D, Email at cart + W + 2D.
 *
 *   npx tsx bench/workload.ts --users N --span-ms S --window-ms W --delay-ms D --seed K --out DIR
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface WorkloadParams {
  users: number;
  spanMs: number;
  windowMs: number;
  delayMs: number;
  seed: number;
}

export type UserClass = 'A' | 'B' | 'C' | 'E';
export type SendChannel = 'push' | 'sms' | 'email';

const SENDS_BY_CLASS: Record<UserClass, SendChannel[]> = { A: [], B: ['push'], C: ['push', 'sms', 'email'], E: ['push', 'sms'] };

const ZONES: Array<[string, string, number]> = [
  ['America/New_York', 'USD', 1],
  ['America/Los_Angeles', 'USD', 1],
  ['America/Chicago', 'USD', 1],
  ['America/Sao_Paulo', 'BRL', 5],
  ['Europe/London', 'GBP', 0.79],
  ['Europe/Berlin', 'EUR', 0.92],
  ['Asia/Kolkata', 'INR', 83],
  ['Asia/Tokyo', 'JPY', 150],
];
const PRODUCTS: Array<[string, string, string, number]> = [
  ['SKU-2001', 'Trail Running Shoes', 'footwear', 89.99],
  ['SKU-2002', 'Canvas Sneakers', 'footwear', 59.0],
  ['SKU-2003', 'Wireless Earbuds', 'electronics', 149.0],
  ['SKU-2004', 'Steel Water Bottle', 'outdoor', 24.5],
  ['SKU-2005', 'Linen Shirt', 'apparel', 45.0],
  ['SKU-2006', 'Chef Knife', 'kitchen', 79.99],
  ['SKU-2007', 'Climbing Chalk Bag', 'fitness', 19.0],
  ['SKU-2008', 'Hardcover Atlas', 'books', 35.0],
];
const NAMES = ['Ana', 'Bruno', 'Chen', 'Dara', 'Elif', 'Femi', 'Greta', 'Hiro', 'Isla', 'Jonas', 'Kavya', 'Luca', 'Maya', 'Nils', 'Olu', 'Pia'];
const SURNAMES = ['Alves', 'Berg', 'Costa', 'Dunn', 'Eze', 'Fox', 'Gupta', 'Hall', 'Ivanova', 'Jensen', 'Khan', 'Lopez'];
const PLATFORMS = ['ios', 'android', 'web'];

/** xorshift128+ folded to 32 bits; seeded through splitmix-style mixing. Deterministic and fast. */
export function random(seed: number): () => number {
  let s0 = mix(seed ^ 0x9e3779b9);
  let s1 = mix(s0 ^ 0x85ebca6b);
  let s2 = mix(s1 ^ 0xc2b2ae35);
  let s3 = mix(s2 ^ 0x27d4eb2f);
  return () => {
    const t = s1 << 9;
    let r = Math.imul(s0, 5);
    r = (((r << 7) | (r >>> 25)) * 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return r / 4294967296;
  };
}

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0 || 1;
}

class LineWriter {
  private readonly fd: number;
  private buffer: string[] = [];
  private size = 0;
  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }
  line(text: string): void {
    this.buffer.push(text, '\n');
    this.size += text.length + 1;
    if (this.size > 1 << 20) this.flush();
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
  private flush(): void {
    if (this.buffer.length > 0) writeSync(this.fd, this.buffer.join(''));
    this.buffer = [];
    this.size = 0;
  }
}

export function generateWorkload(p: WorkloadParams, out: string): { counts: Record<string, number>; lastDueAt: number } {
  const { users: n, spanMs, windowMs: w, delayMs: d } = p;
  const rand = random(p.seed);
  const int = (k: number) => Math.floor(rand() * k);
  const hex = (len: number) => Array.from({ length: len }, () => '0123456789abcdef'[int(16)]).join('');

  const sizes: Record<UserClass, number> = { A: Math.round(n * 0.3), B: Math.round(n * 0.2), E: Math.round(n * 0.05), C: 0 };
  sizes.C = n - sizes.A - sizes.B - sizes.E;
  const classes: UserClass[] = [];
  for (const c of ['A', 'B', 'C', 'E'] as const) for (let i = 0; i < sizes[c]; i++) classes.push(c);
  for (let i = n - 1; i > 0; i--) {
    const j = int(i + 1);
    [classes[i], classes[j]] = [classes[j]!, classes[i]!];
  }
  const chargeOffset: Record<UserClass, number | null> = { A: Math.round(w / 4), B: w + Math.round(d / 2), C: null, E: w + d + Math.round(d / 2) };
  const dueOffset: Record<SendChannel, number> = { push: w, sms: w + d, email: w + 2 * d };

  mkdirSync(out, { recursive: true });
  const profiles = new LineWriter(join(out, 'profiles.ndjson'));
  const events: Array<{ at: number; user: number; kind: number; line: string }> = [];
  const users: string[] = [];
  const recipients: Record<SendChannel, string[]> = { push: [], sms: [], email: [] };
  let lastDueAt = 0;

  for (let i = 0; i < n; i++) {
    const userId = `u${i}`;
    const [timezone, currency, fx] = ZONES[int(ZONES.length)]!;
    profiles.line(
      JSON.stringify({
        userId,
        name: `${NAMES[int(NAMES.length)]} ${SURNAMES[int(SURNAMES.length)]}`,
        email: `${userId}@example.test`,
        phone: `+1555${String(i % 10_000_000).padStart(7, '0')}`,
        pushToken: `tok-${hex(24)}`,
        timezone,
        platform: PLATFORMS[int(PLATFORMS.length)],
      }),
    );
    const cartAt = int(spanMs);
    const [sku, productName, category, usd] = PRODUCTS[int(PRODUCTS.length)]!;
    const price = currency === 'JPY' || currency === 'INR' ? Math.round(usd * fx) : Math.round(usd * fx * 100) / 100;
    const quantity = rand() < 0.2 ? 1 + int(3) : 1;
    const cartId = `cart-${hex(12)}`;
    events.push({ at: cartAt, user: i, kind: 0, line: JSON.stringify({ at: cartAt, userId, event: 'Added to Cart', properties: { sku, productName, category, price, quantity, currency, cartId } }) });
    const c = classes[i]!;
    const offset = chargeOffset[c];
    const chargedAt = offset === null ? null : cartAt + offset;
    if (chargedAt !== null) {
      const amount = Math.round(price * quantity * 100) / 100;
      events.push({ at: chargedAt, user: i, kind: 1, line: JSON.stringify({ at: chargedAt, userId, event: 'Charged', properties: { orderId: `ord-${hex(12)}`, sku, quantity, amount, currency, cartId } }) });
    }
    const sends: Partial<Record<SendChannel, number>> = {};
    for (const channel of SENDS_BY_CLASS[c]) {
      const due = cartAt + dueOffset[channel];
      sends[channel] = due;
      recipients[channel].push(userId);
      lastDueAt = Math.max(lastDueAt, due);
    }
    users.push(JSON.stringify({ userId, class: c, cartAt, chargedAt, enteredAt: c === 'A' ? null : cartAt + w, sends }));
  }
  profiles.close();

  events.sort((a, b) => a.at - b.at || a.user - b.user || a.kind - b.kind);
  const eventsOut = new LineWriter(join(out, 'events.ndjson'));
  for (const e of events) eventsOut.line(e.line);
  eventsOut.close();

  const carts = events.filter((e) => e.kind === 0).length;
  const counts = { entered: sizes.B + sizes.C + sizes.E, push: recipients.push.length, sms: recipients.sms.length, email: recipients.email.length, total: recipients.push.length + recipients.sms.length + recipients.email.length };
  const head = {
    format: 'cart-workload/v1',
    params: p,
    dueOffsetsMs: dueOffset,
    chargeOffsetsMs: chargeOffset,
    classes: sizes,
    events: { 'Added to Cart': carts, Charged: events.length - carts, total: events.length, lastAt: events.at(-1)?.at ?? 0 },
    counts,
    lastDueAt,
  };
  // One user per line keeps the file greppable and lets readers stream it, while staying valid JSON.
  const expected = new LineWriter(join(out, 'expected.json'));
  expected.line(JSON.stringify(head, null, 2).replace(/\n}$/, ','));
  expected.line('  "recipients": {');
  (['push', 'sms', 'email'] as const).forEach((ch, i) => expected.line(`    "${ch}": ${JSON.stringify(recipients[ch])}${i < 2 ? ',' : ''}`));
  expected.line('  },');
  expected.line('  "users": [');
  users.forEach((u, i) => expected.line(`    ${u}${i < users.length - 1 ? ',' : ''}`));
  expected.line('  ]');
  expected.line('}');
  expected.close();
  return { counts, lastDueAt };
}

export function parseWorkloadArgs(argv: string[]): WorkloadParams & { out?: string } {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const int = (flag: string, fallback: number, min: number): number => {
    const raw = get(flag);
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`${flag} must be an integer >= ${min}, got ${raw}`);
    return value;
  };
  return {
    users: int('--users', 10_000, 1),
    spanMs: int('--span-ms', 10_000, 1),
    windowMs: int('--window-ms', 2_000, 4),
    delayMs: int('--delay-ms', 3_000, 2),
    seed: int('--seed', 1, -(2 ** 31)),
    out: get('--out'),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const args = parseWorkloadArgs(process.argv.slice(2));
    if (!args.out) throw new Error('--out DIR is required');
    const { out, ...params } = args;
    console.log(JSON.stringify({ out, params, ...generateWorkload(params, out) }));
  } catch (error) {
    console.error(`workload: ${(error as Error).message}`);
    process.exit(2);
  }
}
