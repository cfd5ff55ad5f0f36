/**
 * Background checkpoints (src/store/sqlite/checkpointer.ts): the writer's pages reach the file without the
 * writer copying them, and closing the store ends the thread. The file holds every page of the database once
 * a checkpoint copied the log into it; before, the newest pages are only in the log.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers.ts';

/** A few hundred pages: fewer than SQLite's own checkpoint waits for (1,000). */
async function writeSome(store: SqliteStore): Promise<void> {
  for (let batch = 0; batch < 10; batch++) {
    await store.upsertProfiles(Array.from({ length: 300 }, (_, i) => ({ userId: `u${batch}-${i}`, traits: { name: `User ${i}`, note: 'x'.repeat(600) } })), 1);
  }
}

const pagesInFile = (store: SqliteStore, file: string) => statSync(file).size / (store.db.pragma('page_size', { simple: true }) as number);
const pagesInDatabase = (store: SqliteStore) => store.db.pragma('page_count', { simple: true }) as number;

test('inline (the default), pages written stay in the log until the writer checkpoints', async () => {
  const file = join(tempDir(), 'inline.db');
  const store = new SqliteStore(file);
  try {
    await writeSome(store);
    assert.ok(pagesInDatabase(store) > 300);
    assert.ok(pagesInFile(store, file) < pagesInDatabase(store), `${pagesInFile(store, file)} of ${pagesInDatabase(store)} pages in the file`);
  } finally {
    await store.close();
  }
});

test('background, a thread copies the log into the file, and the writer keeps only a backstop of its own', async () => {
  const file = join(tempDir(), 'background.db');
  const store = new SqliteStore(file, { checkpoints: 'background', onCheckpointError: (error) => assert.fail(error) });
  try {
    assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 524_288); // 2 GB of log
    await writeSome(store);
    const pages = pagesInDatabase(store);
    // The thread copies once a second; waiting for the file, not for a time (up to 20 s on a loaded machine).
    for (let tries = 0; pagesInFile(store, file) < pages && tries < 400; tries++) await sleep(50);
    assert.equal(pagesInFile(store, file), pages);
  } finally {
    await store.close(); // resolves once the thread has closed its connection and ended
  }
});

/** The first `bytes` bytes of a file. */
function head(path: string, bytes: number): Buffer {
  const header = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, bytes, 0);
  } finally {
    closeSync(fd);
  }
  return header;
}

/** The log's header holds a count of the times it started over (bytes 12-15); SQLite rewrites it then. */
const timesStartedOver = (file: string) => head(`${file}-wal`, 16).readUInt32BE(12);

/** The frames in the log and those copied into the file, from the shared index (the -shm file's header). */
function logProgress(file: string): { frames: number; copied: number } {
  const header = head(`${file}-shm`, 100);
  // mxFrame at byte 16 of the index's header, nBackfill at 96 (after its two copies), in the machine's order.
  return { frames: header.readUInt32LE(16), copied: header.readUInt32LE(96) };
}

test('background, a log the thread has copied whole starts over at the next commit: a quiet server keeps a short one', async () => {
  const file = join(tempDir(), 'restart.db');
  const store = new SqliteStore(file, { checkpoints: 'background', onCheckpointError: (error) => assert.fail(error) });
  try {
    await writeSome(store);
    const before = timesStartedOver(file);
    // Far below the backstop (1 GB): only the thread's copy lets the writer start the log over.
    for (let tries = 0; timesStartedOver(file) === before && tries < 400; tries++) {
      await store.upsertProfiles([{ userId: 'ticker', traits: { tick: tries } }], 2);
      await sleep(50);
    }
    assert.notEqual(timesStartedOver(file), before);
  } finally {
    await store.close();
  }
});

test('background, under writes that never pause, the thread hands over at the set size of log and the writer starts the log over there, far short of its backstop', async () => {
  const file = join(tempDir(), 'handover.db');
  const logPages = 1_000; // the writer's own checkpoint (the backstop) at twice that
  const store = new SqliteStore(file, { checkpoints: 'background', checkpointLogPages: logPages, onCheckpointError: (error) => assert.fail(error) });
  try {
    assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 2 * logPages);
    const before = timesStartedOver(file);
    const write = (tries: number) => store.upsertProfiles([0, 1].map((i) => ({ userId: `w${tries}-${i}`, traits: { note: 'x'.repeat(3_000) } })), 3);
    let waits = 0; // at most 4,000 of 5 ms in all: a thread that stops copying fails the test, not the suite's time
    for (let tries = 0; timesStartedOver(file) < before + 3 && tries < 20_000 && waits < 4_000; tries++) {
      // A transaction of its own, as the engine's: the handover, if any, is finished before it.
      await write(tries);
      // Then one held open while the writer is half the handover point ahead of the thread's copies, so a slow
      // thread (a loaded machine) slows the writer instead of letting it run to the backstop. Held open, it
      // keeps the thread from starting the log over by itself: a log starts over only at a transaction that
      // began with all of it copied, and here one begins a moment after the one before commits.
      store.db.exec('BEGIN IMMEDIATE');
      try {
        await write(-tries);
        for (; waits < 4_000; waits++) {
          const { frames, copied } = logProgress(file);
          if (frames - copied < logPages / 2) break;
          await sleep(5);
        }
      } finally {
        store.db.exec('COMMIT');
      }
    }
    assert.ok(timesStartedOver(file) >= before + 3, 'the log started over three times');
    // The log's file keeps the size the log reached (journal_size_limit is the backstop's): near logPages, not twice.
    const pagesReached = statSync(`${file}-wal`).size / (4_096 + 24);
    assert.ok(pagesReached < 1.75 * logPages, `the log reached ${Math.round(pagesReached)} pages`);
  } finally {
    await store.close();
  }
});

test('closing a store whose checkpoint thread has ended already does not wait for it', async () => {
  const file = join(tempDir(), 'ended.db');
  const store = new SqliteStore(file, { checkpoints: 'background' });
  const worker = (store as unknown as { checkpointer: { worker: { terminate(): Promise<number> } } }).checkpointer.worker;
  await worker.terminate();
  await store.close(); // before, stop() waited for an 'exit' already sent, and the test never ended
});
