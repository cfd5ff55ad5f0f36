/**
 * The dispatcher on both stores: a transient failure is retried after its backoff, a permanent one is not,
 * the last attempt dead-letters, a sender that throws or forgets a message loses nothing. Pipelined: the next
 * batch goes out while the last is in flight, and a message whose lease runs out while it waits is not sent.
 * Answers are recorded as they come, so a dispatcher that dies leaves only the unanswered to send again.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { join } from 'node:path';
import type { ChannelSender, ChannelSenders } from '../../src/channels/channel.ts';
import { Limiter } from '../../src/channels/limiter.ts';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { dispatchDue } from '../../src/engine/dispatch.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Message, NewMessage, SendOutcome, Store } from '../../src/store/store.ts';
import { forEachStore, tempDir, type StoreKind } from '../helpers.ts';
import { openTestStore } from '../store/postgres-fixture.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';

/** Plays a dispatcher's lease running out (it died): the message is claimable again. */
async function expireLeases(store: Store): Promise<void> {
  if (store instanceof PostgresStore) await store.pool.query('UPDATE messages SET lease_until = 0 WHERE lease_until IS NOT NULL');
  else (store as SqliteStore).db.prepare('UPDATE messages SET lease_until = 0 WHERE lease_until IS NOT NULL').run();
}

async function openStore(kind: StoreKind): Promise<Store> {
  const store = kind === 'postgres' ? await openTestStore() : new SqliteStore(join(tempDir(), 'dispatch.db'));
  after(() => store.close());
  return store;
}

function message(id: string): NewMessage {
  return { id, journeyId: 'cart', version: 1, instanceId: `i-${id}`, nodeId: 'hook', userId: 'u1', channel: 'webhook', status: 'pending', reason: null, content: { body: '{}', url: 'https://x.test' }, createdAt: 0, sentAt: null };
}

/** The store with these messages pending, as a unit of work leaves them. */
const queue = (store: Store, ids: string[]) =>
  store.ingestEvents([{ messageId: 'e1', userId: 'u1', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages: ids.map(message) }));

/** Only the webhook channel is not the outbox: it sends with `send`. */
const webhookBy = (send: ChannelSender['send']): ChannelSenders => ({ ...outboxOnly(), webhook: { name: 'webhook', send } });

/** A webhook sender that answers each message from a script, one answer per attempt; records what it saw. */
function scripted(script: Record<string, Array<Omit<SendOutcome, 'id' | 'at'>>>, seen: string[]): ChannelSenders {
  const webhook: ChannelSender = {
    name: 'webhook',
    async send(messages: Message[], now) {
      return messages.flatMap((m) => {
        seen.push(`${m.id}#${m.attempts + 1}`);
        const next = script[m.id]?.shift();
        return next ? [{ id: m.id, at: now(), ...next }] : [];
      });
    },
  };
  return { ...outboxOnly(), webhook };
}

await forEachStore((kind) => {
  test('transient failures are retried after their backoff, permanent ones are final, the last attempt dead-letters', async () => {
    const store = await openStore(kind);
    await store.ingestEvents([{ messageId: 'e1', userId: 'u1', name: 'x', timestamp: 0, properties: {} }], 0, () => ({
      instances: [], stats: [], messages: [message('ok-later'), message('refused'), message('hopeless'), message('busy')],
    }));
    const seen: string[] = [];
    const channels = scripted({
      'ok-later': [{ status: 'transient', error: 'http_503' }, { status: 'sent' }],
      refused: [{ status: 'failed', error: 'http_400' }],
      hopeless: [{ status: 'transient', error: 'timeout' }, { status: 'transient', error: 'timeout' }, { status: 'transient', error: 'timeout' }],
      busy: [{ status: 'transient', error: 'http_429', retryAfterMs: 5_000 }, { status: 'sent' }],
    }, seen);
    let now = 1_000;
    // Three attempts; the ceilings of the waits are 1,000 then 2,000 ms; random 0.5 makes them three quarters of that.
    const dispatch = () => dispatchDue({ store, channels, now: () => now, retry: { maxAttempts: 3, baseMs: 1_000, capMs: 60_000 }, random: () => 0.5 });

    assert.equal(await dispatch(), 4);
    const log = async () => Object.fromEntries((await store.listMessages({ limit: 10 })).map((m) => [m.id, [m.status, m.attempts, m.nextAttemptAt, m.reason]]));
    assert.deepEqual(await log(), {
      'ok-later': ['pending', 1, 1_750, 'http_503'],
      refused: ['failed', 1, null, 'http_400'],
      hopeless: ['pending', 1, 1_750, 'timeout'],
      busy: ['pending', 1, 6_000, 'http_429'],
    });
    now = 1_749;
    assert.equal(await dispatch(), 0, 'nothing is due yet');
    now = 1_750;
    assert.equal(await dispatch(), 2);
    now = 3_249;
    assert.equal(await dispatch(), 0);
    now = 3_250; // hopeless: second wait, 1,000 + 0.5 * 1,000
    assert.equal(await dispatch(), 1);
    now = 6_000;
    assert.equal(await dispatch(), 1);
    assert.deepEqual(await log(), {
      'ok-later': ['sent', 2, null, null],
      refused: ['failed', 1, null, 'http_400'],
      hopeless: ['dead', 3, null, 'timeout'],
      busy: ['sent', 2, null, null],
    });
    assert.deepEqual(seen, ['ok-later#1', 'refused#1', 'hopeless#1', 'busy#1', 'ok-later#2', 'hopeless#2', 'hopeless#3', 'busy#2']);
    const dead = await store.messageLog({ order: 'oldest', limit: 10, status: 'dead', scanLimit: 100 });
    assert.deepEqual(dead.messages.map((m) => m.id), ['hopeless']);
    assert.deepEqual((await store.journeyStats('cart')).map((s) => [s.metric, s.count]), [['node_failed', 2], ['node_sent', 2]]);
  });

  test('a sender that throws, or says nothing of a message, has it tried again rather than lost', async () => {
    const store = await openStore(kind);
    await queue(store, ['m1']);
    let calls = 0;
    const channels: ChannelSenders = {
      ...outboxOnly(),
      webhook: {
        name: 'webhook',
        async send(messages, now) {
          calls += 1;
          if (calls === 1) throw new Error('socket hang up');
          if (calls === 2) return [];
          return messages.map((m) => ({ id: m.id, status: 'sent' as const, at: now() }));
        },
      },
    };
    let now = 0;
    const dispatch = () => dispatchDue({ store, channels, now: () => now, retry: { maxAttempts: 8, baseMs: 0, capMs: 0 } });
    assert.equal(await dispatch(), 3, 'no wait: each retry is due at once, so one call goes on until it is sent');
    const [m] = await store.listMessages({ limit: 1 });
    assert.deepEqual([m!.status, m!.attempts, m!.provider], ['sent', 3, 'webhook']);
  });

  test('a dispatcher that dies between sending and recording: the message is sent again under the same id, and recorded once', async () => {
    const store = await openStore(kind);
    await queue(store, ['m1']);
    const seen: string[] = [];
    const channels = scripted({ m1: [{ status: 'sent' }, { status: 'sent' }] }, seen);
    // The first dispatcher claims and sends, then dies before recording.
    const claimed = await store.pendingMessages(10, 0);
    await channels.webhook.send(claimed, () => 1);
    assert.equal(await dispatchDue({ store, channels, now: () => 2 }), 0, 'held by the dead dispatcher until its lease runs out');
    await expireLeases(store);
    assert.equal(await dispatchDue({ store, channels, now: () => 3 }), 1);
    assert.deepEqual(seen, ['m1#1', 'm1#1'], 'sent twice under one id: the receiver dedupes on it');
    const [m] = await store.listMessages({ limit: 1 });
    assert.deepEqual([m!.status, m!.attempts, m!.sentAt], ['sent', 1, 3]);
    assert.deepEqual((await store.journeyStats('cart')).map((x) => [x.metric, x.count]), [['node_sent', 1]]);
  });
});

await forEachStore((kind) => {
  test('pipelined: the next batch is claimed and handed over while the first is in flight; each message is sent once and every outcome recorded', async () => {
    const store = await openStore(kind);
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await store.ingestEvents([{ messageId: 'e1', userId: 'u1', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages: ids.map(message) }));
    const calls: string[][] = [];
    const held: Array<() => void> = [];
    const sent: string[] = [];
    const channels: ChannelSenders = {
      ...outboxOnly(),
      webhook: {
        name: 'webhook',
        async send(messages, now, options) {
          calls.push(messages.map((m) => m.id));
          for (const m of messages) assert.equal(options?.starting?.(m), true); // each starts at once (no limits)
          // The first batch is answered only once the second has been handed over (a round that waited for
          // its slowest send would never get there).
          if (calls.length === 1) await new Promise<void>((resolve) => held.push(resolve));
          else for (const release of held.splice(0)) release();
          sent.push(...messages.map((m) => m.id));
          return messages.map((m) => ({ id: m.id, status: 'sent' as const, at: now() }));
        },
      },
    };
    assert.equal(await dispatchDue({ store, channels, now: () => 7, batch: 2 }), 5);
    assert.deepEqual(calls, [['a', 'b'], ['c', 'd'], ['e']]);
    assert.deepEqual([...sent].sort(), ids, 'each once');
    const recorded = (await store.listMessages({ limit: 10 })).map((m) => [m.id, m.status, m.attempts, m.sentAt]).sort();
    assert.deepEqual(recorded, ids.map((id) => [id, 'sent', 1, 7]));
  });

  test('a message whose lease runs out while it waits its turn is not sent by this dispatcher, nor recorded: the one that claims it next sends it once', async () => {
    const store = await openStore(kind);
    await queue(store, ['first', 'queued']);
    const limiter = new Limiter({ concurrency: 1 });
    const sent: string[] = [];
    let release = () => {};
    let wall = 1_000_000;
    let started = () => {};
    const firstStarted = new Promise<void>((resolve) => (started = resolve));
    const channels = webhookBy((messages, now, options) =>
      limiter.all(messages, async (m) => {
        sent.push(m.id);
        if (m.id === 'first') {
          started();
          await new Promise<void>((resolve) => (release = resolve));
        }
        return { id: m.id, status: 'sent' as const, at: now() };
      }, options?.starting));
    const running = dispatchDue({ store, channels, now: () => 5, wall: () => wall });
    await firstStarted;
    // 'queued' waits behind 'first' (one at a time) while half the lease and more goes by.
    wall += store.outboxLeaseMs / 2;
    await expireLeases(store);
    const other = await dispatchDue({ store, channels: { ...outboxOnly(), webhook: { name: 'webhook', async send(messages, now) { sent.push(...messages.map((m) => `other:${m.id}`)); return messages.map((m) => ({ id: m.id, status: 'sent' as const, at: now() })); } } }, now: () => 6 });
    release();
    assert.equal(await running, 1, "only 'first' is recorded by the first dispatcher");
    assert.equal(other, 2, 'the other dispatcher claimed both once their leases ran out');
    assert.deepEqual(sent.sort(), ['first', 'other:first', 'other:queued'], "'queued' is never sent by the first dispatcher");
    const log = Object.fromEntries((await store.listMessages({ limit: 10 })).map((m) => [m.id, [m.status, m.attempts, m.sentAt]]));
    assert.deepEqual(log, { first: ['sent', 1, 6], queued: ['sent', 1, 6] });
  });

  test('an answer is recorded when it comes, not when its batch ends: a dispatcher that dies then leaves only the unanswered to send again', async () => {
    const store = await openStore(kind);
    await queue(store, ['quick', 'slow']);
    const limiter = new Limiter({ concurrency: 2 });
    let release = () => {};
    const channels = webhookBy((messages, now, options) =>
      limiter.all(messages, async (m) => {
        if (m.id === 'slow') await new Promise<void>((resolve) => (release = resolve));
        return { id: m.id, status: 'sent' as const, at: now() };
      }, options?.starting, options?.settled));
    const running = dispatchDue({ store, channels, now: () => 5 });
    const status = async () => Object.fromEntries((await store.listMessages({ limit: 10 })).map((m) => [m.id, [m.status, m.attempts]]));
    for (let i = 0; (await status()).quick![0] !== 'sent'; i++) {
      assert.ok(i < 5_000, "'quick' is never recorded while 'slow' is in flight");
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.deepEqual(await status(), { quick: ['sent', 1], slow: ['pending', 0] });
    // The dispatcher dies here: its leases run out, and the next one finds only 'slow' to send.
    await expireLeases(store);
    const claimed = await store.pendingMessages(10, 6);
    assert.deepEqual(claimed.map((m) => m.id), ['slow']);
    release();
    await running;
  });

  test("a sender that throws after telling some outcomes: those are recorded as told, the others are retried", async () => {
    const store = await openStore(kind);
    await queue(store, ['told', 'untold']);
    const channels: ChannelSenders = {
      ...outboxOnly(),
      webhook: {
        name: 'webhook',
        async send(_messages, now, options) {
          options?.settled?.({ id: 'told', status: 'sent', at: now() });
          options?.settled?.({ id: 'told', status: 'failed', at: now(), error: 'said twice' }); // the first counts
          throw new Error('socket hang up');
        },
      },
    };
    assert.equal(await dispatchDue({ store, channels, now: () => 5 }), 2);
    const log = Object.fromEntries((await store.listMessages({ limit: 10 })).map((m) => [m.id, [m.status, m.attempts, m.reason]]));
    assert.deepEqual(log, { told: ['sent', 1, null], untold: ['pending', 1, 'sender_error: socket hang up'] });
  });

  test('a message skipped for its lease has its claim given back: the same dispatcher sends it at once, not taken for possibly sent', async () => {
    const store = await openStore(kind);
    await queue(store, ['first', 'queued']);
    const limiter = new Limiter({ concurrency: 1 });
    let wall = 1_000_000;
    const seen: string[] = [];
    const channels = webhookBy((messages, now, options) =>
      limiter.all(messages, async (m) => {
        seen.push(`${m.id} claims ${m.claims}`);
        if (m.id === 'first') wall += store.outboxLeaseMs / 2; // 'queued' waits behind it past half its lease
        return { id: m.id, status: 'sent' as const, at: now() };
      }, options?.starting, options?.settled));
    assert.equal(await dispatchDue({ store, channels, now: () => 5, wall: () => wall }), 2);
    assert.deepEqual(seen, ['first claims 1', 'queued claims 1'], 'claimed twice, counted once');
    const log = Object.fromEntries((await store.listMessages({ limit: 10 })).map((m) => [m.id, [m.status, m.attempts, m.claims]]));
    assert.deepEqual(log, { first: ['sent', 1, 1], queued: ['sent', 1, 1] });
  });

  test('a message whose turn comes with more than half its lease left is sent', async () => {
    const store = await openStore(kind);
    await queue(store, ['m1']);
    const limiter = new Limiter({ concurrency: 1 });
    let wall = 1_000_000;
    const seen: string[] = [];
    const channels = webhookBy((messages, now, options) =>
      limiter.all(messages, async (m) => (seen.push(m.id), { id: m.id, status: 'sent' as const, at: now() }), (m) => {
        wall += store.outboxLeaseMs / 2 - 1; // its turn comes 1 ms before half the lease has gone
        return options!.starting!(m);
      }));
    assert.equal(await dispatchDue({ store, channels, now: () => 5, wall: () => wall }), 1);
    assert.deepEqual(seen, ['m1']);
  });
});
