/**
 * POST /v1/messages/:id/click over HTTP on both stores, on a virtual clock so that when a click counted is
 * known exactly: the first click counts, later ones change nothing, an unknown id is 404, the write key may
 * call it (a link redirector holds no admin key), no key may not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, forEachStore } from '../helpers.ts';
import { startApi } from './helpers.ts';
import { path } from '../journeys.ts';

const MIN = 60_000;

const journey = path('welcome', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Opened' } },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
    { id: 'out', kind: 'exit' },
], {
  setup: { timezone: 'UTC' },
});

await forEachStore((store) => {
  test('a click: the first counts, a second changes nothing, an unknown id is 404, the write key may click', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'welcome', definition: journey } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/welcome/publish')).status, 200);
    assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'ana', traits: { pushToken: 'tok-ana' } } })).status, 200);
    assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { userId: 'ana', event: 'Opened', messageId: 'o1' } })).status, 200);
    await api.runUntil(T0);

    const log = async () => (await api.call('GET', '/v1/users/ana/messages')).body.messages as { id: string; status: string; sentAt: number; clickedAt: number | null }[];
    const [sent] = await log();
    assert.deepEqual([sent!.status, sent!.sentAt, sent!.clickedAt], ['sent', T0, null]);
    const path = `/v1/messages/${encodeURIComponent(sent!.id)}/click`;

    assert.equal((await api.call('POST', path, { key: null })).status, 401, 'no key, no click');
    assert.equal((await log())[0]!.clickedAt, null);

    await api.runUntil(T0 + 5 * MIN);
    assert.deepEqual(await api.call('POST', path, { key: api.write }), { status: 200, body: { ok: true } });
    assert.equal((await log())[0]!.clickedAt, T0 + 5 * MIN);

    await api.runUntil(T0 + 10 * MIN);
    assert.deepEqual(await api.call('POST', path), { status: 200, body: { ok: true } });
    assert.equal((await log())[0]!.clickedAt, T0 + 5 * MIN, 'the first click counts');
    const fromTheLog = (await api.call('GET', '/v1/messages?journeyId=welcome')).body.messages;
    assert.deepEqual(fromTheLog.map((m: { openedAt: number; clickedAt: number }) => [m.openedAt, m.clickedAt]), [[T0 + 5 * MIN, T0 + 5 * MIN]], 'a click never opened is the open too');
    // Counted once on the node, and given to ana once as events (the second click is a duplicate).
    const push = (await api.call('GET', '/v1/journeys/welcome/stats')).body.nodes.find((n: { nodeId: string }) => n.nodeId === 'push');
    assert.deepEqual([push.sent, push.opened, push.clicked], [1, 1, 1]);
    const events = (await api.call('GET', '/v1/users/ana/events')).body.events as Array<{ name: string; timestamp: number; properties: Record<string, unknown> }>;
    const engagement = { messageId: sent!.id, journeyId: 'welcome', nodeId: 'push', channel: 'push' };
    assert.deepEqual(
      events.filter((e) => e.name.startsWith('Message ')).map((e) => [e.name, e.timestamp, e.properties]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      [['Message Clicked', T0 + 5 * MIN, engagement], ['Message Opened', T0 + 5 * MIN, engagement]],
    );

    const unknown = await api.call('POST', '/v1/messages/welcome%3Anobody%3Apush/click', { key: api.write });
    assert.deepEqual(unknown, { status: 404, body: { error: 'Not Found', message: 'no message "welcome:nobody:push"' } });
  });
});
