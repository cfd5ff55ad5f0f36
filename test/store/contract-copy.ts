/**
 * The Store contract, continued: the copy assistant's model settings are one document, replaced whole and
 * removable; its audit log pages newest first and keeps only what the retention says (a count and an age).
 * Registered by storeContract.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidCursorError } from '../../src/store/pages.ts';
import type { NewCopyLogEntry, Store } from '../../src/store/store.ts';

const entry = (at: number, outcome = 'ok'): NewCopyLogEntry => ({
  at,
  outcome,
  model: 'm1',
  request: { model: 'm1', messages: [{ role: 'user', content: `ask ${at}` }], temperature: 0.7 },
  response: `answer ${at}`,
  detail: outcome === 'ok' ? null : 'the provider answered 500',
});

export function copyContract(open: () => Promise<Store>): void {
  test('the copy provider is one document: none at first, replaced whole, removed once', async () => {
    const store = await open();
    try {
      assert.equal(await store.getCopyProvider(), null);
      await store.saveCopyProvider({ baseUrl: 'http://127.0.0.1:1/v1', model: 'a', apiKey: 'k1' }, 1_000);
      await store.saveCopyProvider({ baseUrl: 'http://127.0.0.1:2/v1', model: 'b' }, 2_000);
      assert.deepEqual(await store.getCopyProvider(), { config: { baseUrl: 'http://127.0.0.1:2/v1', model: 'b' }, updatedAt: 2_000 });
      assert.equal(await store.removeCopyProvider(), true);
      assert.equal(await store.removeCopyProvider(), false);
      assert.equal(await store.getCopyProvider(), null);
    } finally {
      await store.close();
    }
  });

  test('the copy log pages newest first and keeps the newest `max` entries, none older than `since`', async () => {
    const store = await open();
    try {
      const keepAll = { max: 100, since: 0 };
      const seqs: number[] = [];
      for (const at of [1_000, 2_000, 3_000, 4_000, 5_000]) seqs.push(await store.addCopyLog(entry(at, at === 4_000 ? 'provider_error' : 'ok'), keepAll));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'seq grows');
      const first = await store.copyLogPage({ limit: 2 });
      assert.deepEqual(first.items.map((e) => e.at), [5_000, 4_000]);
      assert.deepEqual(first.items[1], { seq: seqs[3], ...entry(4_000, 'provider_error') }, 'kept as given, the request as JSON');
      const second = await store.copyLogPage({ limit: 2, cursor: first.nextCursor! });
      assert.deepEqual(second.items.map((e) => e.at), [3_000, 2_000]);
      const third = await store.copyLogPage({ limit: 2, cursor: second.nextCursor! });
      assert.deepEqual([third.items.map((e) => e.at), third.nextCursor], [[1_000], null]);
      await assert.rejects(store.copyLogPage({ limit: 2, cursor: 'nonsense' }), InvalidCursorError);

      // A sixth with room for three, none before 2,500: the entries at 1,000 and 2,000 go by age, 3,000 by count.
      await store.addCopyLog(entry(6_000), { max: 3, since: 2_500 });
      assert.deepEqual((await store.copyLogPage({ limit: 10 })).items.map((e) => e.at), [6_000, 5_000, 4_000]);
    } finally {
      await store.close();
    }
  });
}
