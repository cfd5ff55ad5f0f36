/**
 * The dispatcher's marks (SendOptions.committing, Store.markSending) on both stores, through the real SMTP
 * sender to a real SMTP server on loopback: each email's mark is in the store before its DATA ends; after a
 * dispatcher died mid-send, a marked email is held as a dead letter (in_doubt) and an unmarked one is sent;
 * a mark that cannot be written keeps the email from the server and retries it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { messageIdFrom, smtpSender } from '../../src/channels/smtp.ts';
import { dispatchDue } from '../../src/engine/dispatch.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { NewMessage, Store } from '../../src/store/store.ts';
import { smtpConfig, smtpServer } from '../channels/smtp-server.ts';
import { forEachStore, tempDir, type StoreKind } from '../helpers.ts';
import { openTestStore } from '../store/postgres-fixture.ts';

const KEYS = { unsubscribe: Buffer.alloc(32, 3), tracking: Buffer.alloc(32, 5) };
const NOW = 1_700_000_000_000;

async function openStore(kind: StoreKind): Promise<Store> {
  const store = kind === 'postgres' ? await openTestStore() : new SqliteStore(join(tempDir(), 'marks.db'));
  after(() => store.close());
  return store;
}

/** Plays a dispatcher's lease running out (it died): the message is claimable again. */
async function expireLeases(store: Store): Promise<void> {
  if (store instanceof PostgresStore) await store.pool.query('UPDATE messages SET lease_until = 0 WHERE lease_until IS NOT NULL');
  else (store as SqliteStore).db.prepare('UPDATE messages SET lease_until = 0 WHERE lease_until IS NOT NULL').run();
}

const email = (id: string): NewMessage => ({ id, journeyId: 'cart', version: 1, instanceId: `i-${id}`, nodeId: 'mail', userId: id, channel: 'email', status: 'pending', reason: null, content: { to: `${id}@x.test`, subject: 's', body: '<p>b</p>' }, createdAt: 0, sentAt: null });
const queue = (store: Store, ids: string[]) => store.ingestEvents([{ messageId: 'e1', userId: 'u1', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages: ids.map(email) }));
const idOf = (raw: string) => messageIdFrom(/^Message-ID: *(\S+)/im.exec(raw)?.[1] ?? '') ?? '';
const state = async (store: Store, ids: string[]) => Promise.all(ids.map(async (id) => {
  const m = await store.getMessage(id);
  return [id, m?.status, m?.reason?.split(':')[0] ?? null, m?.sendingAt];
}));

await forEachStore((kind) => {
  test('each email is marked in the store before its DATA ends, and the mark is cleared with its outcome', async () => {
    const store = await openStore(kind);
    const ids = ['m1', 'm2', 'm3', 'm4'];
    await queue(store, ids);
    const atEnd: Array<[string, number | null | undefined]> = [];
    const { mails, port } = await smtpServer({
      // When the terminator has come, before the server answers: what the store says of the message then.
      atEnd: async (raw) => void atEnd.push([idOf(raw), (await store.getMessage(idOf(raw)))?.sendingAt]),
    });
    const sender = smtpSender(smtpConfig(port), KEYS);
    after(() => sender.close());
    assert.equal(await dispatchDue({ store, channels: { ...outboxOnly(), email: sender }, now: () => NOW }), 4);
    assert.deepEqual(atEnd.sort(), ids.map((id) => [id, NOW]));
    assert.equal(mails.length, 4);
    assert.deepEqual(await state(store, ids), ids.map((id) => [id, 'sent', null, null]));
  });

  test('after a dispatcher died mid-send: the marked email is held as a dead letter in doubt, the unmarked one sent; sent again by hand, once', async () => {
    const store = await openStore(kind);
    await queue(store, ['marked', 'unmarked']);
    // The dead dispatcher: it claimed both, stored the mark of one (its terminator was about to go out), and died.
    assert.equal((await store.pendingMessages(10, NOW)).length, 2);
    await store.markSending(['marked'], NOW);
    await expireLeases(store);
    const { mails, port } = await smtpServer();
    const sender = smtpSender(smtpConfig(port), KEYS);
    after(() => sender.close());
    let now = NOW + 60_000;
    const dispatch = () => dispatchDue({ store, channels: { ...outboxOnly(), email: sender }, now: () => now });
    assert.equal(await dispatch(), 2);
    assert.deepEqual(mails.map((m) => idOf(m.raw)), ['unmarked'], 'the server got the unmarked one only');
    assert.deepEqual(await state(store, ['marked', 'unmarked']), [['marked', 'dead', 'in_doubt', null], ['unmarked', 'sent', null, null]]);
    assert.deepEqual((await store.messageLog({ order: 'oldest', limit: 10, status: 'dead', scanLimit: 100 })).messages.map((m) => [m.id, m.attempts]), [['marked', 1]]);
    // The admin finds it never arrived and sends it again from the dead letters: sent normally.
    now = NOW + 120_000;
    assert.equal(await store.requeueDeadMessages({ ids: ['marked'] }, now), 1);
    assert.equal(await dispatch(), 1);
    assert.deepEqual(mails.map((m) => idOf(m.raw)), ['unmarked', 'marked']);
    assert.deepEqual(await state(store, ['marked']), [['marked', 'sent', null, null]]);
  });

  test('a mark that cannot be written: the email never reaches the server and is retried, then sent once', async () => {
    const store = await openStore(kind);
    await queue(store, ['m1']);
    let failing = true;
    const flaky = new Proxy(store, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === 'markSending' && failing) return async () => Promise.reject(new Error('disk full'));
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { mails, port } = await smtpServer();
    const sender = smtpSender(smtpConfig(port), KEYS);
    after(() => sender.close());
    let now = NOW;
    const dispatch = () => dispatchDue({ store: flaky, channels: { ...outboxOnly(), email: sender }, now: () => now, random: () => 0.5 });
    assert.equal(await dispatch(), 1);
    assert.equal(mails.length, 0);
    const m = await store.getMessage('m1');
    assert.deepEqual([m?.status, m?.attempts, m?.reason, m?.sendingAt], ['pending', 1, 'mark_failed: disk full', null]);
    failing = false;
    now = m!.nextAttemptAt!;
    assert.equal(await dispatch(), 1);
    assert.deepEqual(mails.map((x) => idOf(x.raw)), ['m1']);
    assert.deepEqual(await state(store, ['m1']), [['m1', 'sent', null, null]]);
  });
});
