/**
 * Two connections write one SQLite file when Waymark serves: the API's and the engine's thread. A transaction
 * that reads and then writes must hold when the other connection tries to commit between its read and its
 * write. Begun deferred, it would fail at once with SQLITE_BUSY_SNAPSHOT (no busy timeout is waited): a publish
 * answered 500 while the engine's thread was writing. Each case below has a second connection on the file try
 * to commit just after the transaction's first read: it must be made to wait (SQLITE_BUSY, as its busy timeout would
 * end here, in one thread), and the work must complete. The case runs on every kind of transaction that reads
 * before it writes: the API's (publish, identity merge, team and key changes) and the engine's units (an
 * event, a timer).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openWaymark, type Waymark } from '../../src/app/waymark.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import { openStore } from '../../src/store/open.ts';
import { tempDir } from '../helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 9);
const cartJourney = JSON.parse(readFileSync(new URL('../../examples/abandoned-cart.json', import.meta.url), 'utf8'));

interface Shared {
  waymark: Waymark;
  clock: VirtualClock;
  /** Runs `work`; just after the first read inside a transaction of Waymark's, the other connection tries to commit. */
  interleaved<T>(work: () => Promise<T>): Promise<{ result: T; other: string }>;
}

async function sharedFile(t: { after: (fn: () => void | Promise<void>) => void }): Promise<Shared> {
  const file = join(tempDir(), 'shared.db');
  const clock = new VirtualClock(T0);
  const waymark = await openWaymark({ database: await openStore(file), clock, realtime: false });
  const other = new Database(file);
  other.pragma('busy_timeout = 0'); // one thread: waiting could never end, so the refusal is what it would wait on
  other.exec('CREATE TABLE probe (n INTEGER)');
  t.after(async () => {
    other.close();
    await waymark.close();
  });
  await waymark.journeys.create({ id: 'cart', definition: cartJourney });
  await waymark.store.upsertProfiles([{ userId: 'u1', traits: { Name: 'Ada', pushToken: 't-u1' } }], T0);

  const statement = Object.getPrototypeOf(other.prepare('SELECT 1')) as Record<'get' | 'all' | 'iterate', (...args: unknown[]) => unknown>;
  const interleaved: Shared['interleaved'] = async (work) => {
    const originals = { get: statement.get, all: statement.all, iterate: statement.iterate };
    let outcome = 'never tried';
    const tryOther = (db: Database.Database) => {
      if (db === other || !db.inTransaction || outcome !== 'never tried') return;
      try {
        other.prepare('INSERT INTO probe (n) VALUES (1)').run();
        outcome = 'committed';
      } catch (error) {
        outcome = (error as { code?: string }).code ?? String(error);
      }
    };
    for (const name of ['get', 'all', 'iterate'] as const) {
      const original = originals[name];
      statement[name] = function (this: { database: Database.Database }, ...args: unknown[]) {
        const rows = original.apply(this, args); // the read first: a deferred transaction takes its snapshot here
        tryOther(this.database);
        return rows;
      };
    }
    try {
      const result = await work();
      return { result, other: outcome };
    } finally {
      Object.assign(statement, originals);
    }
  };
  return { waymark, clock, interleaved };
}

test('publishing (the API connection) holds while the other connection tries to commit', async (t) => {
  const { waymark, interleaved } = await sharedFile(t);
  const { result, other } = await interleaved(() => waymark.journeys.publish('cart'));
  assert.equal(other, 'SQLITE_BUSY');
  assert.equal(result.version, 1);
  assert.equal((await waymark.journeys.get('cart')).version, 1);
});

test('an event unit and a timer unit (the engine connection) hold while the other connection tries to commit', async (t) => {
  const { waymark, clock, interleaved } = await sharedFile(t);
  await waymark.journeys.publish('cart');
  clock.set(T0 + 1_000);
  const event = { messageId: 'add-u1', userId: 'u1', name: 'Added to Cart', timestamp: T0 + 1_000, properties: { productName: 'Sneakers' } };
  assert.equal((await interleaved(() => waymark.engine.ingestNow([event]))).other, 'SQLITE_BUSY');
  assert.equal((await waymark.store.userInstances('u1')).length, 1);

  clock.set(T0 + 3 * 60_000); // the cart's window closes: the timer moves the pass on and the push is made
  assert.equal((await interleaved(() => waymark.engine.runDue(T0 + 3 * 60_000))).other, 'SQLITE_BUSY');
  const messages = await waymark.store.listMessages({ userId: 'u1', limit: 10 });
  assert.deepEqual(
    messages.map((m) => m.channel),
    ['push'],
  );
});

test('an identity merge, a team change and a key change (the API connection) hold likewise', async (t) => {
  const { waymark, interleaved } = await sharedFile(t);
  const store = waymark.store;
  const merge = await interleaved(() => store.mergeIdentity({ from: 'anon-1', into: 'u1' }, T0));
  assert.equal(merge.other, 'SQLITE_BUSY');
  assert.deepEqual(await store.resolveIdentities(['anon-1']), new Map([['anon-1', 'u1']]));

  const admin = { id: 'd1', email: 'ada@example.com', name: 'Ada', role: 'admin' as const, password: 'scrypt$x', disabled: false, createdAt: T0, lastSignInAt: null };
  await store.addDashboardUser(admin);
  const change = await interleaved(() => store.updateDashboardUser('d1', { name: 'Ada L.' }));
  assert.equal(change.other, 'SQLITE_BUSY');
  assert.equal((await store.getDashboardUser('d1'))?.name, 'Ada L.');

  await store.addApiKey({ hash: 'h1', kind: 'write', name: 'app', createdAt: T0 });
  const removal = await interleaved(() => store.removeApiKey('h1'));
  assert.equal(removal.other, 'SQLITE_BUSY');
  assert.deepEqual(
    (await store.listApiKeys()).map((k) => k.hash).filter((h) => h === 'h1'),
    [],
  );
});
