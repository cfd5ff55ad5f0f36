/**
 * GET /v1/messages over HTTP on both stores: the filters (status, channel, nodeId with journeyId), newest
 * first paged with `before`, `more`, and the default oldest-first paging as it always was; bad filters are
 * 400 naming the field. The log is written to the store directly, so every message's fields are known.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { forEachStore, T0 } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';
import { LOG, message } from '../store/contract-dashboard.ts';

async function seeded(store: 'sqlite' | 'postgres'): Promise<{ api: TestApi; seq: (id: string) => number; get: (query: string) => Promise<{ ids: string[]; next: string | number; more: boolean }> }> {
  // A virtual clock: nothing runs by itself, so the seeded pending messages stay pending (a real-time
  // server's dispatcher would send them on its next poll).
  const api = await startApi({ store, clock: new VirtualClock(T0) });
  const messages = LOG.map(message);
  await api.waymark.store.ingestEvents([{ messageId: 'seed', userId: 'a', name: 'Seed', timestamp: 1, properties: {} }], 1, () => ({ instances: [], messages, stats: [] }));
  const all = (await api.call('GET', '/v1/messages')).body.messages as Array<{ id: string; seq: number }>;
  const seqs = new Map(all.map((m) => [m.id, m.seq]));
  const ids = new Map(all.map((m) => [m.seq, m.id]));
  return {
    api,
    seq: (id) => seqs.get(id)!,
    // `next` shown as the id of the message at that seq, when it is one.
    async get(query) {
      const { status, body } = await api.call('GET', `/v1/messages?${query}`);
      assert.equal(status, 200, JSON.stringify(body));
      return { ids: body.messages.map((m: { id: string }) => m.id), next: ids.get(body.next) ?? body.next, more: body.more };
    },
  };
}

await forEachStore((store) => {
  test('newest first, a page at a time with `before`, until `more` is false', async () => {
    const { seq, get } = await seeded(store);
    assert.deepEqual(await get('order=newest&limit=3'), { ids: ['m7', 'm6', 'm5'], next: 'm5', more: true });
    assert.deepEqual(await get(`order=newest&limit=3&before=${seq('m5')}`), { ids: ['m4', 'm3', 'm2'], next: 'm2', more: true });
    assert.deepEqual(await get(`order=newest&limit=3&before=${seq('m2')}`), { ids: ['m1', 'm0'], next: 'm0', more: false });
    assert.deepEqual(await get(`order=newest&userId=a&limit=2`), { ids: ['m7', 'm5'], next: 'm5', more: true });
  });

  test('filters by status, channel, and node within a journey, with user and journey, either way round', async () => {
    const { get } = await seeded(store);
    assert.deepEqual(await get('journeyId=cart&nodeId=push'), { ids: ['m0', 'm5', 'm6'], next: 'm6', more: false });
    assert.deepEqual(await get('order=newest&journeyId=cart&nodeId=push'), { ids: ['m6', 'm5', 'm0'], next: 'm0', more: false });
    assert.deepEqual(await get('status=failed'), { ids: ['m3'], next: 'm3', more: false });
    assert.deepEqual(await get('order=newest&status=pending&userId=a'), { ids: ['m7', 'm5', 'm0'], next: 'm0', more: false });
    assert.deepEqual(await get('channel=sms&userId=a'), { ids: ['m2'], next: 'm2', more: false });
    assert.deepEqual(await get('channel=push&status=skipped&journeyId=cart'), { ids: ['m6'], next: 'm6', more: false });
    assert.deepEqual(await get('status=sent&journeyId=promo'), { ids: [], next: 0, more: false }, 'nothing matched: next is `after` again');
  });

  test('without the new filters, oldest first pages as it always did; `more` says whether the page was full', async () => {
    const { seq, get } = await seeded(store);
    assert.deepEqual(await get('limit=3'), { ids: ['m0', 'm1', 'm2'], next: 'm2', more: true });
    assert.deepEqual(await get(`limit=5&after=${seq('m2')}`), { ids: ['m3', 'm4', 'm5', 'm6', 'm7'], next: 'm7', more: true });
    assert.deepEqual(await get(`limit=5&after=${seq('m7')}`), { ids: [], next: 'm7', more: false });
    assert.deepEqual(await get('userId=a&journeyId=promo'), { ids: ['m3', 'm7'], next: 'm7', more: false });
  });

  test('400 naming the field: a status, channel or order that does not exist, a cursor for the other order, a node without its journey', async () => {
    const { api } = await seeded(store);
    const problem = async (query: string) => {
      const { status, body } = await api.call('GET', `/v1/messages?${query}`);
      assert.equal(status, 400, query);
      return body.problems.map((p: { path: string; in: string }) => `${p.in} ${p.path}`);
    };
    assert.deepEqual(await problem('status=returned'), ['querystring /status']);
    assert.deepEqual(await problem('channel=fax'), ['querystring /channel']);
    assert.deepEqual(await problem('order=sideways'), ['querystring /order']);
    assert.deepEqual(await problem('order=newest&after=3'), ['querystring /after']);
    assert.deepEqual(await problem('before=3'), ['querystring /before']);
    assert.deepEqual(await problem('nodeId=push'), ['querystring /nodeId']);
    assert.deepEqual(await problem('journeyId=cart&nodeId=not%20a%20node'), ['querystring /nodeId']);
    const { body } = await api.call('GET', '/v1/messages?nodeId=push');
    assert.equal(body.message, 'invalid query string: /nodeId needs journeyId: a node id names a node within one journey');
  });
});
