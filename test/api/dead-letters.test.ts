/**
 * The message log over HTTP shows delivery state: attempts, the next attempt of a message waiting for a retry,
 * the provider, and dead letters found with a status filter. On both stores.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import type { NewMessage } from '../../src/store/store.ts';
import { T0, forEachStore } from '../helpers.ts';
import { startApi } from './helpers.ts';

const message = (id: string): NewMessage => ({
  id, journeyId: 'orders', version: 1, instanceId: `i-${id}`, nodeId: 'hook', userId: 'ana', channel: 'webhook', status: 'pending', reason: null,
  content: { url: 'https://hooks.x.test/', body: '{}' }, createdAt: T0, sentAt: null,
});

await forEachStore((store) => {
  test('GET /v1/messages shows attempts, the next attempt and the provider; ?status=dead lists the dead letters', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    const s = api.waymark.store;
    await s.ingestEvents([{ messageId: 'e1', userId: 'ana', name: 'x', timestamp: T0, properties: {} }], T0, () => ({ instances: [], stats: [], messages: [message('a'), message('b'), message('c')] }));
    await s.pendingMessages(10, T0);
    await s.recordOutcomes([
      { id: 'a', status: 'dead', at: T0 + 1, error: 'http_503', provider: 'webhook' },
      { id: 'b', status: 'retry', at: T0 + 1, error: 'timeout', nextAttemptAt: T0 + 30_000, provider: 'webhook' },
      { id: 'c', status: 'failed', at: T0 + 1, error: 'blocked_address', provider: 'webhook' },
    ]);
    const all = await api.call('GET', '/v1/messages');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.messages.map((m: Record<string, unknown>) => [m.id, m.status, m.attempts, m.nextAttemptAt, m.provider, m.reason]), [
      ['a', 'dead', 1, null, 'webhook', 'http_503'],
      ['b', 'pending', 1, T0 + 30_000, 'webhook', 'timeout'],
      ['c', 'failed', 1, null, 'webhook', 'blocked_address'],
    ]);
    const dead = await api.call('GET', '/v1/messages?status=dead');
    assert.deepEqual(dead.body.messages.map((m: { id: string }) => m.id), ['a']);
    const newest = await api.call('GET', '/v1/messages?order=newest&status=pending');
    assert.deepEqual(newest.body.messages.map((m: { id: string }) => m.id), ['b']);
    assert.equal((await api.call('GET', '/v1/messages?status=retry')).status, 400);
  });
});
