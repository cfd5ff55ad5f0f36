/**
 * Correctness under load: a few thousand abandoned carts sent to a real `waymark serve` over HTTP in real
 * time, the way SDKs send them (small batches from many clients at once, some batches sent twice), at a rate
 * this machine holds easily. It checks correctness under concurrency, not speed: every expectation is about
 * what was sent, judged against the moments the server itself recorded (when it received each event, when it
 * sent each message), so a slow machine can make it slower but not make it fail.
 *
 * For every user, from the journey's definition (W = the inaction window, D = each delay):
 * - Charged received inside the window: never entered, nothing sent;
 * - never Charged: push, SMS and email, once each, in order, none before it was due;
 * - Charged received later: nothing sent after the server received it (the goal exits at once);
 * - and no message twice, whatever was sent twice.
 * Meanwhile an admin edits and publishes another journey and saves the settings, over and over: the API's writes
 * and the engine's share the file, and every one of those answers must be 2xx.
 * Run on every layout that serves: the embedded server with the engine in its own thread (the default) and on
 * one thread, and on PostgreSQL an api process with a worker process.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openSqliteStore } from '../../src/store/open.ts';
import type { Message, Store } from '../../src/store/store.ts';
import { serve } from '../cli/run.ts';
import { schemaUrl, startServe } from '../cluster/cluster.ts';
import { example, tempDir } from '../helpers.ts';
import { testSchema, withPostgres } from '../store/postgres-fixture.ts';

const ADMIN = 'wm_admin_load_test_key_000000000000';
const WRITE = 'wm_write_load_test_key_000000000000';
const USERS = 3_000;
const SPAN_MS = 3_000; // carts arrive over 3 s: 1,000 a second
const W = 1_500;
const D = 1_000;
const NODES = ['push-free-shipping', 'sms-10-off', 'email-final-reminder'];

type Plan = 'converts-in-window' | 'converts-mid-journey' | 'never-converts';
const planOf = (i: number): Plan => (['converts-in-window', 'converts-mid-journey', 'never-converts'] as const)[i % 3]!;

async function api(base: string, method: string, path: string, key: string, body?: unknown): Promise<any> {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

interface Outgoing {
  at: number;
  userId: string;
  event: 'Added to Cart' | 'Charged';
}

/** Each user's events at their offsets from the start: the cart, and for two plans in three a Charged. */
function schedule(): Outgoing[] {
  const out: Outgoing[] = [];
  for (let i = 0; i < USERS; i++) {
    const at = Math.floor((i * SPAN_MS) / USERS);
    const userId = `u${i}`;
    out.push({ at, userId, event: 'Added to Cart' });
    const plan = planOf(i);
    if (plan === 'converts-in-window') out.push({ at: at + 0.3 * W, userId, event: 'Charged' });
    if (plan === 'converts-mid-journey') out.push({ at: at + W + 0.5 * D, userId, event: 'Charged' });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Sends the schedule in real time, flushing every 10 ms; every tenth batch is sent twice (an SDK's retry). */
async function replay(base: string, events: Outgoing[]): Promise<void> {
  const t0 = Date.now();
  const inFlight: Array<Promise<unknown>> = [];
  let next = 0;
  let batches = 0;
  while (next < events.length) {
    const elapsed = Date.now() - t0;
    const batch: unknown[] = [];
    while (next < events.length && events[next]!.at <= elapsed) {
      const e = events[next]!;
      batch.push({ messageId: `${e.userId}-${e.event}`, userId: e.userId, event: e.event, timestamp: Date.now(), properties: { productName: 'Sneakers', price: 90, currency: 'EUR' } });
      next++;
    }
    if (batch.length > 0) {
      const send = () => api(base, 'POST', '/v1/events', WRITE, { batch });
      inFlight.push(send());
      if (batches++ % 10 === 0) inFlight.push(send());
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(inFlight);
}

/**
 * What an admin does while the carts come: another journey's draft saved and published, the settings saved,
 * until `done` says stop. Returns how many rounds were made; each call fails the test unless answered 2xx.
 */
async function adminWork(base: string, done: () => boolean): Promise<number> {
  const welcome = (round: number) => ({
    name: `Welcome, round ${round}`,
    nodes: [
      { id: 'signed-up', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'hello', kind: 'send', channel: 'push', message: { title: `Hello (${round})`, body: 'Glad you are here' } },
      { id: 'done', kind: 'exit' },
    ],
    edges: [
      { from: 'signed-up', to: 'hello' },
      { from: 'hello', to: 'done' },
    ],
  });
  await api(base, 'POST', '/v1/journeys', ADMIN, { id: 'welcome', definition: welcome(0) });
  let rounds = 0;
  while (!done()) {
    rounds++;
    await api(base, 'PUT', '/v1/journeys/welcome', ADMIN, { definition: welcome(rounds) });
    await api(base, 'POST', '/v1/journeys/welcome/publish', ADMIN, {});
    await api(base, 'PUT', '/v1/settings', ADMIN, { timezone: rounds % 2 === 0 ? 'UTC' : 'Europe/Paris' });
  }
  return rounds;
}

/** Waits until every user is decided and none is still in the journey: a condition, with a generous ceiling. */
async function settled(base: string): Promise<void> {
  const ceiling = Date.now() + 180_000;
  for (;;) {
    const { totals } = await api(base, 'GET', '/v1/journeys/cart-load/stats', ADMIN);
    if (totals.qualified + totals.notQualified === USERS && totals.inJourneyNow === 0) return;
    assert.ok(Date.now() < ceiling, `not settled within 3 minutes: ${JSON.stringify(totals)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

interface Served {
  url: string;
  /** Stops every process, each expected to exit 0. */
  stop(): Promise<void>;
  /** The store the server wrote, to judge what it did. */
  open(): Promise<Store>;
}

async function embedded(args: string[]): Promise<Served> {
  const db = join(tempDir(), 'waymark.db');
  const server = await serve(db, { WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE }, undefined, args);
  return {
    url: server.url,
    stop: async () => assert.equal(await server.stop(), 0),
    open: async () => openSqliteStore(db),
  };
}

/** An api process that ingests and answers, and a worker that fires the timers and sends, on one schema. */
async function apiAndWorker(): Promise<Served> {
  const schema = testSchema();
  const database = schemaUrl(schema.name);
  const keys = { WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE };
  const api = await startServe('api', database, [], keys);
  const worker = await startServe('worker', database, [], keys);
  return {
    url: api.url,
    stop: async () => {
      assert.equal(await api.stop(), 0, `the api process: ${api.output().stderr.slice(-2000)}`);
      assert.equal(await worker.stop(), 0, `the worker process: ${worker.output().stderr.slice(-2000)}`);
    },
    open: () => schema.open(),
  };
}

function loadTest(layout: string, start: () => Promise<Served>): void {
  test(`${USERS} carts at 1,000 a second over HTTP (${layout}): every send right, none twice`, { timeout: 300_000 }, async () => {
    const server = await start();
    const definition = example('abandoned-cart');
    for (const node of definition.nodes) {
      if (node.kind === 'entry' && node.trigger.type === 'inaction') node.trigger.within = `${W}ms`;
      if (node.kind === 'delay') node.duration = `${D}ms`;
    }
    await api(server.url, 'POST', '/v1/journeys', ADMIN, { id: 'cart-load', definition });
    await api(server.url, 'POST', '/v1/journeys/cart-load/publish', ADMIN);
    for (let i = 0; i < USERS; i += 1_000) {
      const batch = Array.from({ length: Math.min(1_000, USERS - i) }, (_, k) => ({ userId: `u${i + k}`, traits: { name: `Name${i + k}`, pushToken: `tok${i + k}`, phone: '+15550000', email: `u${i + k}@example.test` } }));
      await api(server.url, 'POST', '/v1/profiles', WRITE, { batch });
    }

    let replayed = false;
    const [, rounds] = await Promise.all([replay(server.url, schedule()).finally(() => (replayed = true)), adminWork(server.url, () => replayed)]);
    assert.ok(rounds > 0, 'the admin made at least one round while the carts came');
    await settled(server.url);
    await server.stop();

    const store = await server.open();
    try {
      const messages = await store.listMessages({ journeyId: 'cart-load', limit: 4 * USERS });
      const byUser = new Map<string, Message[]>();
      for (const m of messages) byUser.set(m.userId, [...(byUser.get(m.userId) ?? []), m]);
      const counts = { 'converts-in-window': 0, 'converts-mid-journey': 0, 'never-converts': 0 };
      for (let i = 0; i < USERS; i++) {
        const userId = `u${i}`;
        const plan = planOf(i);
        const sent = (byUser.get(userId) ?? []).sort((a, b) => a.sentAt! - b.sentAt!);
        const events = await store.userEvents(userId, 10);
        const added = events.find((e) => e.name === 'Added to Cart')!;
        const charged = events.find((e) => e.name === 'Charged');
        assert.equal(events.length, plan === 'never-converts' ? 1 : 2, `${userId}: each event stored once`);
        assert.deepEqual(sent.map((m) => m.status), sent.map(() => 'sent'), `${userId}: every message sent`);
        assert.equal(new Set(sent.map((m) => m.nodeId)).size, sent.length, `${userId}: no message twice`);
        if (charged) {
          for (const m of sent) assert.ok(m.sentAt! <= charged.receivedAt, `${userId}: ${m.nodeId} sent after Charged was received`);
          if (charged.receivedAt < added.timestamp + W && charged.timestamp < added.timestamp + W) {
            assert.deepEqual(sent, [], `${userId}: Charged inside the window, yet messaged`);
            counts[plan]++;
          }
        } else {
          assert.deepEqual(sent.map((m) => m.nodeId), NODES, `${userId}: push, SMS, email in order`);
          const due = [added.timestamp + W, added.timestamp + W + D, added.timestamp + W + 2 * D];
          sent.forEach((m, k) => assert.ok(m.sentAt! >= due[k]!, `${userId}: ${m.nodeId} sent ${due[k]! - m.sentAt!} ms before it was due`));
          assert.equal(sent[0]!.content!.title, 'Still thinking it over?');
          assert.match(sent[0]!.content!.body!, new RegExp(`^Hi Name${i}, your Sneakers is waiting`));
          counts[plan]++;
        }
      }
      // Every never-converting user was checked in full, and the in-window converters were judged as such
      // unless the server received their Charged only after the window (a very slow machine).
      assert.equal(counts['never-converts'], USERS / 3);
      assert.ok(counts['converts-in-window'] > 0);
    } finally {
      await store.close();
    }
  });
}

loadTest('engine thread', () => embedded([]));
loadTest('one thread', () => embedded(['--no-engine-thread']));
await withPostgres('correctness under load on PostgreSQL', () => loadTest('PostgreSQL, an api process and a worker', apiAndWorker));
