/**
 * Which of the instances' b-trees a write dirties, read from the pages it adds to the write-ahead log. Each
 * index keyed by user sits at a random place in a large file, so an entry rewritten for nothing is a page
 * written for nothing (docs/performance.md): moving a live instance on must not touch them (migration 021),
 * an exit writes the index of entered passes once and moves the user's entry within one page (migration 025),
 * and a new instance writes one index keyed by user, not two (migration 022).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Instance } from '../../src/core/instance.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Changes } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';

const USERS = 3_000; // enough entries that every index of instances spans many pages

function pending(n: number): Instance {
  return {
    id: `cart:e${n}`,
    journeyId: 'cart',
    version: 1,
    userId: `user-${String((n * 7_919) % USERS).padStart(5, '0')}`,
    status: 'pending',
    nodeId: 'entry',
    wakeAt: 120_000 + n,
    createdAt: n,
    enteredAt: null,
    step: 0,
    entryEvent: { messageId: `e${n}`, name: 'Added to Cart', timestamp: n, properties: { productName: 'Sneakers' } },
    nodeUntil: null,
    timeoutAt: null,
    convertedAt: null,
    exit: null,
  };
}

/** The pages the write-ahead log holds after `write`, counted by the b-tree they belong to. */
async function pagesWritten(store: SqliteStore, file: string, write: () => Promise<void>): Promise<Map<string, number>> {
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const owner = new Map((store.db.prepare('SELECT pageno, name FROM dbstat').all() as Array<{ pageno: number; name: string }>).map((r) => [r.pageno, r.name]));
  await write();
  const wal = readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const pages = new Map<string, Set<number>>();
  for (let frame = 32; frame + 24 + pageSize <= wal.length; frame += 24 + pageSize) {
    const page = wal.readUInt32BE(frame);
    const name = owner.get(page) ?? 'a new page';
    pages.set(name, (pages.get(name) ?? new Set()).add(page));
  }
  return new Map([...pages].map(([name, set]) => [name, set.size]));
}

/** The b-trees whose pages the write-ahead log holds, by name, after `write`. */
async function treesWritten(store: SqliteStore, file: string, write: () => Promise<void>): Promise<string[]> {
  return [...(await pagesWritten(store, file, write)).keys()].sort();
}

type Unit = (instances: Instance[]) => Promise<void>;

/**
 * A store on a fresh file, its log never checkpointed (so a write's pages stay in it), holding a pending
 * instance of each of USERS users (`all`), written in one unit of work; `unit` writes more.
 */
async function onSeededStore(name: string, check: (store: SqliteStore, file: string, unit: Unit, all: Instance[]) => Promise<void>): Promise<void> {
  const file = join(tempDir(), `${name}.db`);
  const store = new SqliteStore(file);
  try {
    store.db.pragma('wal_autocheckpoint = 0');
    let units = 0;
    const unit: Unit = async (instances) => {
      units += 1;
      await store.ingestEvents([{ messageId: `tick-${units}`, userId: 'nobody', name: 'Tick', timestamp: 1, properties: {} }], 1, (): Changes => ({ instances, messages: [], stats: [] }));
    };
    const all = Array.from({ length: USERS }, (_, n) => pending(n));
    await unit(all);
    await check(store, file, unit, all);
  } finally {
    await store.close();
  }
}

test('moving a live instance on writes the row and its wake-up only; its exit writes the indexes of passes that are over, once', async () => {
  await onSeededStore('index-writes', async (store, file, unit, all) => {
    const chosen = all[1_234]!;

    // The window closes: pending -> active, entered, at the first node, a new wake-up.
    const active: Instance = { ...chosen, status: 'active', enteredAt: 120_000, nodeId: 'wait', wakeAt: 7_320_000, step: 2 };
    const moved = await treesWritten(store, file, () => unit([active]));
    assert.deepEqual(moved.filter((name) => name.startsWith('instances')), ['instances', 'instances_due'], moved.join(', '));

    // It exits: it leaves the journey's live index and enters the entered one; its entry of the user's passes
    // moves from the live end of the user's range to the exits, on the page it was on (migration 025).
    const over: Instance = { ...active, status: 'exited', nodeId: null, wakeAt: null, exit: { reason: 'completed', at: 7_320_000, nodeId: 'wait' } };
    const exited = await pagesWritten(store, file, () => unit([over]));
    assert.deepEqual(
      [...exited.keys()].filter((name) => name.startsWith('instances')).sort(),
      ['instances', 'instances_by_user_exit', 'instances_due', 'instances_entered_by_user', 'instances_live_by_journey'],
      [...exited.keys()].join(', '),
    );
    assert.equal(exited.get('instances_by_user_exit'), 1);
    assert.deepEqual((await store.userInstances(chosen.userId)).map((i) => [i.id, i.status]), [[chosen.id, 'exited']]);
    assert.equal(await store.liveInstanceCount('cart'), USERS - 1);
  });
});

test('new instances of users all over the file write the user index at as many places, the journey index at its end', async () => {
  await onSeededStore('index-writes-new', async (store, file, unit) => {
    // 60 carts of users spread over the whole index: the users' entries land on most of its pages (about 19 at
    // 3,000 users), and the journey's on the last page of its range (and a new one, were it full).
    const fresh = Array.from({ length: 60 }, (_, k) => ({ ...pending(USERS + k * 50), userId: `user-${String((k * 50 + 17) % USERS).padStart(5, '0')}-b` }));
    const pages = await pagesWritten(store, file, () => unit(fresh));
    const trees = [...pages.keys()].filter((name) => name.startsWith('instances')).sort();
    assert.deepEqual(trees, ['instances', 'instances_by_user_exit', 'instances_due', 'instances_live_by_journey'], trees.join(', '));
    assert.ok(pages.get('instances_by_user_exit')! >= 10, `instances_by_user_exit: ${pages.get('instances_by_user_exit')} pages`);
    assert.ok(pages.get('instances_live_by_journey')! <= 2, `instances_live_by_journey: ${pages.get('instances_live_by_journey')} pages`);
    assert.equal(await store.liveInstanceCount('cart'), USERS + 60);
  });
});
