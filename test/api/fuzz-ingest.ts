/**
 * Hostile input for every ingestion endpoint, and the checks that hold whatever comes: malformed, truncated,
 * oversized, deeply nested, wrong-typed and unicode-edge payloads (NUL, lone surrogates, invalid UTF-8,
 * `__proto__`), wrong content types and encodings, gzip bombs, interleaved with valid requests from other
 * clients. Every answer is below 500; a refused request (4xx) stored nothing of its own; every valid request
 * was answered 200 and stored. Used by fuzz-ingest.test.ts (a few hundred requests) and bench/fuzz-ingest.ts
 * (ten thousand and more).
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { Store } from '../../src/store/store.ts';

export interface FuzzRequest {
  path: string;
  contentType: string;
  gzip: boolean;
  body: Buffer;
  /** The user ids it names: nothing of theirs may be stored when it is refused. */
  users: string[];
  /** Built valid: must be answered 200 and its events or profiles stored. */
  valid: boolean;
  /** What it stores: events, profiles, or nothing (Segment's group is checked and answered, nothing more). */
  stores: Stores;
  /** How it was made, for a failure's message. */
  what: string;
}

type Json = unknown;
type Stores = 'events' | 'profiles' | 'nothing';
type Make = (user: (k: number) => string, n: number) => { body: Json; stores: Stores };

/** A valid body for each endpoint, naming users made by `user`. */
const VALID: Record<string, Make> = {
  '/v1/events': (u, n) => ({ body: { batch: [0, 1].map((k) => ({ userId: u(k), event: 'Viewed', messageId: `${u(k)}-m`, properties: { n, page: 'home' } })) }, stores: 'events' }),
  '/v1/profiles': (u) => ({ body: { userId: u(0), traits: { name: 'Ana', email: 'ana@x.test' } }, stores: 'profiles' }),
  '/v1/track': (u, n) => ({ body: { userId: u(0), event: 'Added to Cart', messageId: `${u(0)}-t`, properties: { price: n } }, stores: 'events' }),
  '/v1/page': (u) => ({ body: { userId: u(0), name: 'Home', messageId: `${u(0)}-p` }, stores: 'events' }),
  '/v1/screen': (u) => ({ body: { userId: u(0), name: 'Cart', messageId: `${u(0)}-s` }, stores: 'events' }),
  '/v1/identify': (u) => ({ body: { userId: u(0), traits: { email: 'a@x.test' }, messageId: `${u(0)}-i` }, stores: 'profiles' }),
  '/v1/group': (u) => ({ body: { userId: u(0), groupId: 'g1', traits: { plan: 'pro' }, messageId: `${u(0)}-g` }, stores: 'nothing' }),
  '/v1/alias': (u) => ({ body: { userId: u(0), previousId: `${u(0)}-anon`, messageId: `${u(0)}-a` }, stores: 'events' }),
  '/v1/batch': (u) => ({
    body: { batch: [{ type: 'track', userId: u(0), event: 'Viewed', messageId: `${u(0)}-b0` }, { type: 'track', userId: u(1), event: 'Viewed', messageId: `${u(1)}-b1` }] },
    stores: 'events',
  }),
  '/1/upload': (u) => ({ body: { d: [{ identity: u(0), type: 'event', evtName: 'Charged', evtData: { amount: 5 }, ts: 1_780_000_000 }] }, stores: 'events' }),
};
export const FUZZ_PATHS = Object.keys(VALID);

const text = (body: Json) => Buffer.from(JSON.stringify(body), 'utf8');

/** Values no field should take, as raw JSON text (some, such as 1e400 or a lone surrogate escape, JSON.stringify cannot write). */
const HOSTILE_JSON = [
  '"a\\u0000b"', '"\\ud800"', '"\\udfff x"', '"\\ud83d"', '""', `"${'x'.repeat(300_000)}"`, '1e400', '-1', '9007199254740993', '1.5',
  'null', 'true', '[]', '{}', '[[[[[[[[]]]]]]]]', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}',
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`, `${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}`, '"\\u202e\\u0301\\ufeff"', '"🛒🛒"', '"\\uffff"',
];

/** Replaces the value at one place of `body` (a dotted path through objects and arrays) with raw JSON text. */
function withRawAt(body: Json, path: Array<string | number>, raw: string): Buffer {
  const marker = '\u0001FUZZ\u0001';
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path.at(-1)!] = marker;
  return Buffer.from(JSON.stringify(copy).replace(JSON.stringify(marker), raw), 'utf8');
}

/** Every place in a JSON value (objects and arrays), as paths. */
function placesOf(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [path];
  const inner = Object.entries(value).flatMap(([k, v]) => placesOf(v, [...path, Array.isArray(value) ? Number(k) : k]));
  return path.length === 0 ? inner : [path, ...inner];
}

/** One way to spoil a valid body (or leave it valid), drawn by fast-check. */
const spoil = fc.oneof(
  fc.record({ kind: fc.constant('field' as const), place: fc.nat(), raw: fc.constantFrom(...HOSTILE_JSON) }),
  fc.record({ kind: fc.constant('key' as const), place: fc.nat(), key: fc.constantFrom('__proto__', 'constructor', 'prototype', '', 'a\u0000b', '\ud800', 'x'.repeat(5_000)) }),
  fc.record({ kind: fc.constant('drop' as const), place: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('whole' as const), raw: fc.constantFrom('[]', '"x"', '0', 'null', '', '{', '{"batch":', '\u0000', '{"d":[]}', '{"batch":[]}') }),
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ minLength: 0, maxLength: 300 }) }),
  fc.record({ kind: fc.constant('badUtf8' as const), place: fc.nat() }),
  fc.record({ kind: fc.constant('manyKeys' as const), count: fc.constantFrom(1_000, 20_000) }),
  fc.record({ kind: fc.constant('bigBatch' as const), count: fc.constantFrom(1_001, 5_000) }),
  fc.record({ kind: fc.constant('contentType' as const), type: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '') }),
  fc.record({ kind: fc.constant('gzip' as const), how: fc.constantFrom('garbage', 'bomb', 'valid', 'truncated') }),
  fc.record({ kind: fc.constant('anything' as const), value: fc.jsonValue({ maxDepth: 4 }) }),
);
type Spoil = typeof spoil extends fc.Arbitrary<infer T> ? T : never;

/** The request for one drawn spoiling of endpoint `path`'s valid body, for users `fz<n>-<k>`. */
export function fuzzRequest(path: string, n: number, s: Spoil | null): FuzzRequest {
  const user = (k: number) => `fz${n}-${k}`;
  const { body, stores } = VALID[path]!(user, n);
  const users = [user(0), user(1)];
  const base = { path, contentType: 'application/json', gzip: false, users, stores };
  if (s === null) return { ...base, body: text(body), valid: true, what: 'valid' };
  const what = JSON.stringify(s).slice(0, 200);
  const request = (body: Buffer, more: Partial<FuzzRequest> = {}): FuzzRequest => ({ ...base, body, valid: false, what, ...more });
  const places = placesOf(body);
  const place = (i: number) => places[i % places.length]!;
  switch (s.kind) {
    case 'field':
      return request(withRawAt(body, place(s.place), s.raw));
    case 'key': {
      const target = place(s.place);
      const raw = JSON.stringify({ [s.key]: { polluted: true } });
      // An object of the body gets the key; a scalar place becomes an object holding it.
      return request(withRawAt(body, target, raw));
    }
    case 'drop': {
      const copy = structuredClone(body) as Record<string, unknown>;
      const target = place(s.place);
      let at: Record<string | number, unknown> = copy;
      for (const key of target.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      if (Array.isArray(at)) at.splice(Number(target.at(-1)), 1);
      else delete at[target.at(-1)!];
      return request(text(copy));
    }
    case 'truncate': {
      const full = text(body);
      return request(full.subarray(0, Math.floor(full.length * s.at)));
    }
    case 'whole':
      return request(Buffer.from(s.raw, 'utf8'));
    case 'bytes':
      return request(Buffer.from(s.bytes));
    case 'badUtf8': {
      const raw = withRawAt(body, place(s.place), '"\u0002"');
      const at = raw.indexOf(0x02);
      return request(Buffer.concat([raw.subarray(0, at), Buffer.from([0xff, 0xfe, 0xc3]), raw.subarray(at + 1)]));
    }
    case 'manyKeys':
      return request(withRawAt(body, place(0), JSON.stringify(Object.fromEntries(Array.from({ length: s.count }, (_, i) => [`k${i}`, i])))));
    case 'bigBatch': {
      const item = path === '/1/upload' ? (body as { d: unknown[] }).d[0] : { userId: user(0), event: 'Viewed', type: 'track' };
      const key = path === '/1/upload' ? 'd' : 'batch';
      return request(text({ [key]: Array.from({ length: s.count }, (_, i) => ({ ...(item as object), messageId: `${user(0)}-big${i}` })) }));
    }
    case 'contentType':
      return request(text(body), { contentType: s.type });
    case 'gzip': {
      const valid = text(body);
      const zipped =
        s.how === 'garbage' ? Buffer.from('not gzip at all')
          : s.how === 'bomb' ? gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)) // 64 MiB of spaces in about 64 kB
            : s.how === 'truncated' ? gzipSync(valid).subarray(0, 12)
              : gzipSync(valid);
      // A whole valid body, gzipped, is valid where gzip is taken (the compatible routes) and refused elsewhere.
      return request(zipped, { gzip: true, valid: false });
    }
    case 'anything':
      return request(text(s.value));
  }
}

/** A stream of requests over every endpoint, reproducible from `seed`: every `validEvery`-th one valid, the others spoiled. */
export function fuzzStream(count: number, seed: number, validEvery = 4): FuzzRequest[] {
  const arb = fc.array(fc.tuple(fc.constantFrom(...FUZZ_PATHS), spoil), { minLength: count, maxLength: count });
  const [drawn] = fc.sample(arb, { seed, numRuns: 1 });
  return drawn!.map(([path, s], n) => fuzzRequest(path, n, n % validEvery === 0 ? null : s));
}

export interface FuzzAnswer {
  request: FuzzRequest;
  status: number;
  body: string;
}

/** Sends one request as a client would; a connection the server drops or an answer that never comes is a status of 0. */
export async function send(url: string, key: string, r: FuzzRequest, timeoutMs = 60_000): Promise<FuzzAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (r.contentType !== '') headers['content-type'] = r.contentType;
  if (r.gzip) headers['content-encoding'] = 'gzip';
  try {
    const response = await fetch(`${url}${r.path}`, { method: 'POST', headers, body: new Uint8Array(r.body), signal: AbortSignal.timeout(timeoutMs) });
    return { request: r, status: response.status, body: (await response.text()).slice(0, 500) };
  } catch (error) {
    return { request: r, status: 0, body: String((error as Error).message) };
  }
}

/** Whether anything of `user` is stored: a profile or an event. */
async function storedOf(store: Store, user: string): Promise<string | null> {
  if (await store.getProfile(user)) return 'a profile';
  return (await store.userEvents(user, 1)).length > 0 ? 'an event' : null;
}

/** What went wrong with the answers: a 5xx or no answer, a valid request refused, anything stored of a refused one. */
export async function problemsOf(answers: FuzzAnswer[], store: Store): Promise<string[]> {
  const problems: string[] = [];
  for (const { request: r, status, body } of answers) {
    const where = `${r.path} [${r.what}]`;
    if (status === 0 || status >= 500) problems.push(`${where}: answered ${status}: ${body}`);
    else if (r.valid && status !== 200) problems.push(`${where}: a valid request was answered ${status}: ${body}`);
    if (status >= 400 || status === 0) {
      for (const user of r.users) {
        const stored = await storedOf(store, user);
        if (stored) problems.push(`${where}: answered ${status} yet stored ${stored} of ${user}`);
      }
    }
    if (r.valid && status === 200 && r.stores !== 'nothing' && !(await storedOf(store, r.users[0]!))) {
      problems.push(`${where}: answered 200 but nothing of ${r.users[0]} was stored`);
    }
  }
  return problems;
}

/** Sends the stream with `concurrency` clients at once (so group commit merges good and bad requests). */
export async function sendAll(url: string, key: string, requests: FuzzRequest[], concurrency: number, onAnswer?: (done: number) => void): Promise<FuzzAnswer[]> {
  const answers: FuzzAnswer[] = new Array(requests.length);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const i = next++;
        answers[i] = await send(url, key, requests[i]!);
        onAnswer?.(++done);
      }
    }),
  );
  return answers;
}
