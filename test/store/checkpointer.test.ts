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

/** The log's header holds a count of the times it started over (bytes 12-15); SQLite rewrites it then. */
function timesStartedOver(file: string): number {
  const header = Buffer.alloc(16);
  const fd = openSync(`${file}-wal`, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(12);
}

test('background, a log the thread has copied whole starts over at the next commit: a quiet server keeps a short one', async () => {
  const file = join(tempDir(), 'restart.db');
  const store = new SqliteStore(file, { checkpoints: 'background', onCheckpointError: (error) => assert.fail(error) });
  try {
    await writeSome(store);
    const startsOver = () => timesStartedOver(file);
    const before = startsOver();
    // Far below the backstop (1 GB): only the thread's copy lets the writer start the log over.
    for (let tries = 0; startsOver() === before && tries < 400; tries++) {
      await store.upsertProfiles([{ userId: 'ticker', traits: { tick: tries } }], 2);
      await sleep(50);
    }
    assert.notEqual(startsOver(), before);
  } finally {
    await store.close();
  }
});

test('background, under writes that never pause, the thread hands over at the set size of log and the writer starts the log over there, far short of its backstop', async () => {
  const file = join(tempDir(), 'handover.db');
  const logPages = 2_000; // the writer's own checkpoint (the backstop) at twice that
  const store = new SqliteStore(file, { checkpoints: 'background', checkpointLogPages: logPages, onCheckpointError: (error) => assert.fail(error) });
  try {
    assert.equal(store.db.pragma('wal_autocheckpoint', { simple: true }), 2 * logPages);
    await writeSome(store);
    // The thread's first copy, a second after it started: from there it copies at least once a second.
    const pages = pagesInDatabase(store);
    for (let tries = 0; pagesInFile(store, file) < pages && tries < 400; tries++) await sleep(50);
    const before = timesStartedOver(file);
    // A few pages a transaction, one after the other: the thread alone never finds the writer between two.
    for (let tries = 0; timesStartedOver(file) < before + 3 && tries < 20_000; tries++) {
      await store.upsertProfiles([0, 1].map((i) => ({ userId: `w${tries}-${i}`, traits: { note: 'x'.repeat(3_000) } })), 3);
      await sleep(1); // a few thousand pages a second at most: under logPages from one of the thread's copies to the next
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
