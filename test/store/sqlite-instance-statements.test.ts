/**
 * Which statement writes an instance in an event's unit of work on the SQLite store. A pass the unit started is
 * new: one INSERT, with no UPDATE first that finds no row. A pass the unit read and an event ended (the cart's
 * Charged inside its window, a goal) is moved on by one UPDATE, not by an INSERT that finds its row and falls
 * back to its ON CONFLICT clause (apply-changes.ts). Both ways leave the same rows; the wrong one costs a
 * statement, or a failed insert, per cart (docs/performance.md). Each case runs one event a call and as a batch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openWaymark, type Waymark } from '../../src/app/waymark.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { openStore } from '../../src/store/open.ts';
import { tempDir } from '../helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 9);
const cartJourney = JSON.parse(readFileSync(new URL('../../examples/abandoned-cart.json', import.meta.url), 'utf8'));

/** Every write of the instances table run while `work` runs, by its statement's first words. */
async function instanceWrites(work: () => Promise<unknown>): Promise<string[]> {
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as { run: (...args: unknown[]) => unknown };
  probe.close(); // every statement of every connection shares the prototype
  const run = statement.run;
  const seen: string[] = [];
  statement.run = function (this: { source: string }, ...args: unknown[]) {
    const sql = this.source.replace(/\s+/g, ' ').trim();
    if (/^(INSERT INTO|UPDATE) instances\b/.test(sql)) seen.push(sql.startsWith('INSERT') ? 'insert' : / exited_at = \? WHERE/.test(sql) ? 'update, exited' : 'update');
    return run.apply(this, args);
  };
  try {
    await work();
  } finally {
    statement.run = run;
  }
  return seen;
}

async function cartServer(t: { after: (fn: () => Promise<void>) => void }): Promise<{ waymark: Waymark; clock: VirtualClock }> {
  const clock = new VirtualClock(T0);
  const store = await openStore(join(tempDir(), 'writes.db'));
  const waymark = await openWaymark({ database: store, clock, realtime: false });
  t.after(() => waymark.close());
  await waymark.journeys.create({ id: 'cart', definition: cartJourney });
  await waymark.journeys.publish('cart');
  await waymark.store.upsertProfiles(['u1', 'u2', 'u3'].map((userId) => ({ userId, traits: { Name: userId, pushToken: `t-${userId}` } })), T0);
  return { waymark, clock };
}

function cart(userId: string, at: number): JourneyEvent {
  return { messageId: `add-${userId}`, userId, name: 'Added to Cart', timestamp: at, properties: { productName: 'Sneakers' } };
}

function charged(userId: string, at: number): JourneyEvent {
  return { messageId: `pay-${userId}`, userId, name: 'Charged', timestamp: at, properties: {} };
}

test('a cart starts its pass with one INSERT, and a Charged inside the window ends it with one UPDATE: one event a call', async (t) => {
  const { waymark, clock } = await cartServer(t);
  clock.set(T0 + 1_000);
  assert.deepEqual(await instanceWrites(() => waymark.engine.ingestNow([cart('u1', T0 + 1_000)])), ['insert']);
  clock.set(T0 + 31_000);
  assert.deepEqual(await instanceWrites(() => waymark.engine.ingestNow([charged('u1', T0 + 31_000)])), ['update, exited']);
  const [pass] = await waymark.store.userInstances('u1');
  assert.equal(pass?.exit?.reason, 'not_qualified');
});

test('the same in batches: new passes are inserted, the passes events end are updated', async (t) => {
  const { waymark, clock } = await cartServer(t);
  clock.set(T0 + 2_000);
  assert.deepEqual(await instanceWrites(() => waymark.engine.ingestNow([cart('u1', T0 + 1_000), cart('u2', T0 + 2_000)])), ['insert', 'insert']);
  clock.set(T0 + 40_000);
  // u1 pays inside the window as u3 carts: one pass ends, one starts.
  const writes = await instanceWrites(() => waymark.engine.ingestNow([charged('u1', T0 + 30_000), cart('u3', T0 + 40_000)]));
  assert.deepEqual(writes.sort(), ['insert', 'update, exited']);
});

test('a goal met after the window ends the active pass with one UPDATE', async (t) => {
  const { waymark, clock } = await cartServer(t);
  clock.set(T0 + 1_000);
  await waymark.engine.ingestNow([cart('u2', T0 + 1_000)]);
  clock.set(T0 + 3 * 60_000);
  await waymark.engine.runDue(T0 + 3 * 60_000); // the window closes: u2 enters, the push goes
  clock.set(T0 + 10 * 60_000);
  assert.deepEqual(await instanceWrites(() => waymark.engine.ingestNow([charged('u2', T0 + 10 * 60_000)])), ['update, exited']);
  const [pass] = await waymark.store.userInstances('u2');
  assert.equal(pass?.exit?.reason, 'goal');
});
