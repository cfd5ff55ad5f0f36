/**
 * A simulation's temporary database goes without the indexes only the API reads (API_ONLY_INDEXES in
 * store/sqlite/connection.ts), and without frequency caps without the one they read (CAPS_INDEX). Were one of them an index the engine reads, a statement would scan a whole table
 * there, slower but with the same results, so no other test would notice. Here every statement that random
 * simulations prepare must have the plan it has with every index.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { simulate } from '../../src/sim/simulate.ts';
import { openSqliteStore } from '../../src/store/open.ts';
import { API_ONLY_INDEXES, CAPS_INDEX } from '../../src/store/sqlite/connection.ts';
import { throwawayStore } from '../../src/sim/run.ts';
import { caseArb } from '../differential/arbitraries.ts';
import { run } from '../differential/drivers.ts';
import { tempDir } from '../helpers.ts';
import { cartWorkload, writeWorkload } from './workload.ts';

const JOURNEY = join(new URL('../..', import.meta.url).pathname, 'examples/abandoned-cart.json');

/** The statements prepared while `work` runs, on any connection of this thread. */
async function statementsOf(work: () => Promise<void>): Promise<Set<string>> {
  const texts = new Set<string>();
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, sql: string) {
    texts.add(sql);
    return prepare.call(this, sql);
  } as typeof prepare;
  try {
    await work();
  } finally {
    Database.prototype.prepare = prepare;
  }
  return texts;
}

/** Nulls for a statement's parameters, which EXPLAIN needs bound: `@name`s and `?`s outside quoted text. */
function nulls(sql: string): unknown[] {
  const bare = sql.replace(/'[^']*'/g, "''");
  const named = [...new Set(bare.match(/@\w+/g) ?? [])].map((n) => [n.slice(1), null]);
  return [...(named.length > 0 ? [Object.fromEntries(named)] : []), ...Array((bare.match(/\?/g) ?? []).length).fill(null)];
}

const plan = (db: Database.Database, sql: string) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...nulls(sql)) as Array<{ detail: string }>).map((r) => r.detail);

const indexNames = (db: Database.Database) => new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>).map((r) => r.name));

test("every statement of random simulations has the same plan without the indexes it leaves out", { timeout: 300_000 }, async () => {
  // The differential cases: random journeys of every node kind, with and without caps, quiet hours, re-entry,
  // events out of order and sent twice (test/differential/arbitraries.ts), on one thread (the threads run the
  // same code). Without caps the run also goes without CAPS_INDEX: its statements are held to that store too.
  const all = new Set<string>();
  const uncapped = new Set<string>();
  for (const c of fc.sample(caseArb, { seed: 20261205, numRuns: 60 })) {
    const texts = await statementsOf(async () => void (await run('simulate', c)));
    for (const sql of texts) all.add(sql);
    if (!(c.settings.frequencyCaps?.length)) for (const sql of texts) uncapped.add(sql);
  }
  assert.ok(uncapped.size > 0 && uncapped.size < all.size, 'some cases had caps and some had none');
  // Every index, the caps' too (kept while a cap is set: caps-index.ts); the engine's, with and without caps.
  const full = openSqliteStore('', { durability: 'fast' });
  full.keepCapsIndex(true);
  const lean = openSqliteStore('', { durability: 'fast', indexes: 'engine' });
  lean.keepCapsIndex(true);
  const leaner = openSqliteStore('', { durability: 'fast', indexes: 'engine' });
  try {
    for (const name of API_ONLY_INDEXES) {
      assert.ok(indexNames(full.db).has(name), `${name} is an index of the schema`);
      assert.ok(!indexNames(lean.db).has(name) && !indexNames(leaner.db).has(name), `${name} is left out`);
    }
    assert.ok(indexNames(full.db).has(CAPS_INDEX) && indexNames(lean.db).has(CAPS_INDEX) && !indexNames(leaner.db).has(CAPS_INDEX));
    const used = new Set<string>();
    for (const [texts, store] of [[all, lean], [uncapped, leaner]] as const) {
      for (const sql of texts) {
        if (!/^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b/i.test(sql)) continue;
        const withEvery = plan(full.db, sql);
        assert.deepEqual(plan(store.db, sql), withEvery, `the plan of ${sql.replace(/\s+/g, ' ')}`);
        for (const step of withEvery) for (const [, name] of step.matchAll(/INDEX (\w+)/g)) used.add(name!);
      }
    }
    // The runs reached the reads that need an index of their own: its users' events for conditions and
    // inaction, and their recent messages for frequency caps. (A simulation keeps its instances in memory:
    // no statement reads one.)
    for (const name of ['events_by_user', CAPS_INDEX]) {
      assert.ok(used.has(name), `some statement read ${name} (read: ${[...used].sort().join(', ')})`);
    }
  } finally {
    await full.close();
    await lean.close();
    await leaner.close();
  }
});

test('a simulation leaves out the caps index only when its settings cap nothing', async () => {
  const capped = throwawayStore('', { settings: { frequencyCaps: [{ max: 1, per: '1h' }] }, journeys: [] });
  const uncapped = throwawayStore('', { settings: { frequencyCaps: [] }, journeys: [] });
  const none = throwawayStore('', { settings: undefined, journeys: [] });
  try {
    assert.ok(indexNames(capped.db).has(CAPS_INDEX));
    assert.ok(!indexNames(uncapped.db).has(CAPS_INDEX));
    assert.ok(!indexNames(none.db).has(CAPS_INDEX));
    for (const store of [capped, uncapped, none]) assert.ok(!indexNames(store.db).has('messages_by_user'));
  } finally {
    for (const store of [capped, uncapped, none]) await store.close();
  }
});

test('only a new database goes without the API indexes; a kept simulation database has them all', async () => {
  const dir = tempDir();
  const file = join(dir, 'existing.db');
  await openSqliteStore(file).close();
  assert.throws(() => openSqliteStore(file, { indexes: 'engine' }), /only a new database can go without the API's indexes/);
  assert.ok(indexNames(new Database(file)).has('messages_by_user'), 'the refused open dropped nothing');

  const files = writeWorkload(join(dir, 'in'), cartWorkload({ users: 5, spanMs: 1_000, windowMs: 60_000, delayMs: 60_000 }));
  const kept = join(dir, 'kept.db');
  await simulate({ journey: JOURNEY, profiles: files.profiles, events: files.events, out: join(dir, 'out'), db: kept });
  assert.ok(existsSync(kept));
  const db = new Database(kept, { readonly: true });
  for (const name of API_ONLY_INDEXES) assert.ok(indexNames(db).has(name), `${name} is in the kept database`);
  db.close();
});
