/**
 * Stopping while the engine's poll is re-reading the journeys: close() waits for the read, then closes the
 * store, on both stores. (Before, the store could close under the read, which then failed with "Cannot use a
 * pool after calling end on the pool": seen once in the full suite on a loaded machine.) The read is held at a
 * gate on the real store; the store closing while it is held is the defect, recorded as such.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openWaymark } from '../../src/app/waymark.ts';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/store.ts';
import { forEachStore, tempDir } from '../helpers.ts';
import { openTestStore } from '../store/postgres-fixture.ts';

/** The store with listJourneys held at a gate once armed; closing it while a read is held is noted in `problems`. */
function gated(store: Store, problems: string[]) {
  let armed = false;
  let held = false;
  let enter!: () => void;
  let release!: () => void;
  let closeCalled!: () => void;
  const entered = new Promise<void>((resolve) => (enter = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const closing = new Promise<void>((resolve) => (closeCalled = resolve));
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'listJourneys') {
        return async (...args: unknown[]) => {
          if (armed && !held) {
            armed = false;
            held = true;
            enter();
            await released;
            held = false;
          }
          return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        };
      }
      if (prop === 'close') {
        return () => {
          if (held) problems.push('the store was closed while the engine was reading it');
          closeCalled();
          release();
          return target.close();
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { proxy, entered, closing, release, arm: () => (armed = true) };
}

await forEachStore((kind) => {
  test("close() during the poll's re-read of the journeys waits for it, then closes the store", async () => {
    const store = kind === 'postgres' ? await openTestStore() : await openStore(join(tempDir(), 'waymark.db'));
    const problems: string[] = [];
    const gate = gated(store, problems);
    const waymark = await openWaymark({
      database: gate.proxy,
      channels: outboxOnly(),
      engine: { pollMs: 10 },
      onError: (error, where) => problems.push(`${where}: ${(error as Error).message}`),
    });
    gate.arm();
    // The engine's poll timer does not hold the process open (unref): this does, while the test waits for it.
    const keepAlive = setInterval(() => {}, 60_000);
    await gate.entered; // the poll is inside listJourneys, held
    clearInterval(keepAlive);
    const closed = waymark.close();
    // Released when the store is closed under the read (the defect), or else after a while: then close(), which
    // waits for the read, finishes. A slow machine only makes the test slower.
    await Promise.race([gate.closing, sleep(200)]);
    gate.release();
    await closed;
    assert.deepEqual(problems, []);
  });
});
