/**
 * The in-app inbox over HTTP, on both stores and a virtual clock: inbox messages are delivered by being
 * stored; an app lists a user's (write key), newest first, paged, dismissed ones only when asked; reading and
 * dismissing record events through the normal ingest, so a journey waiting for "Inbox Message Read" moves on;
 * unknown messages and other users' are 404s; an opted-out user gets none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { forEachStore, T0 } from '../helpers.ts';
import { path } from '../journeys.ts';
import { startApi } from './helpers.ts';

const MINUTE = 60_000;

const journey = path('welcome', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'hello', kind: 'send', channel: 'inbox', message: { title: 'Welcome, {{ Profile.name }}', body: 'Your plan: {{ Event.plan }}', url: 'https://app.test/start' } },
  { id: 'tips', kind: 'send', channel: 'inbox', message: { title: 'Three tips', body: 'Tip one...' } },
  { id: 'seen', kind: 'wait', event: 'Inbox Message Read', timeout: '1d' },
  { id: 'thanks', kind: 'send', channel: 'inbox', message: { title: 'Thanks for reading', body: 'More soon' } },
  { id: 'out', kind: 'exit' },
], { setup: { timezone: 'UTC' }, branches: [{ from: 'seen', to: 'thanks', branch: 'yes' }, { from: 'seen', to: 'out', branch: 'timeout' }] });

await forEachStore((kind) => {
  test('inbox messages are stored for the app to list, read and dismiss; the events move a waiting journey on', async () => {
    const clock = new VirtualClock(T0);
    const api = await startApi({ store: kind, clock });
    const app = { key: api.write };
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'welcome', definition: journey } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/welcome/publish')).status, 200);
    assert.equal((await api.call('POST', '/v1/profiles', { ...app, body: { userId: 'ana', traits: { name: 'Ana' } } })).status, 200);
    assert.equal((await api.call('POST', '/v1/profiles', { ...app, body: { userId: 'bo', traits: { name: 'Bo', inboxOptOut: true } } })).status, 200);
    for (const userId of ['ana', 'bo']) {
      assert.equal((await api.call('POST', '/v1/events', { ...app, body: { userId, event: 'Signed Up', messageId: `s-${userId}`, timestamp: T0, properties: { plan: 'pro' } } })).status, 200);
    }

    // Delivered by being stored: sent at once, no provider needed.
    const messages = (await api.waymark.store.listMessages({ limit: 10, userId: 'ana' })).map((m) => [m.nodeId, m.status, m.provider]);
    assert.deepEqual(messages, [['hello', 'sent', 'outbox'], ['tips', 'sent', 'outbox']]);
    const boMessages = await api.waymark.store.listMessages({ limit: 10, userId: 'bo' });
    assert.deepEqual(boMessages.map((m) => [m.nodeId, m.status, m.reason]), [['hello', 'skipped', 'unsubscribed'], ['tips', 'skipped', 'unsubscribed']]);
    assert.deepEqual((await api.call('GET', '/v1/inbox/bo', app)).body, { messages: [], nextCursor: null }, 'an opted-out user has nothing in the inbox');

    // Newest first, paged.
    const page1 = await api.call('GET', '/v1/inbox/ana?limit=1', app);
    assert.equal(page1.status, 200);
    assert.deepEqual(page1.body.messages.map((m: { nodeId: string; title: string }) => [m.nodeId, m.title]), [['tips', 'Three tips']]);
    const page2 = await api.call('GET', `/v1/inbox/ana?limit=1&cursor=${page1.body.nextCursor}`, app);
    const hello = page2.body.messages[0];
    const helloId = (await api.waymark.store.listMessages({ limit: 10, userId: 'ana' }))[0]!.id;
    assert.deepEqual(hello, { id: helloId, journeyId: 'welcome', nodeId: 'hello', title: 'Welcome, Ana', body: 'Your plan: pro', url: 'https://app.test/start', createdAt: T0, readAt: null, dismissedAt: null });
    assert.equal(page2.body.nextCursor, null);
    assert.equal((await api.call('GET', '/v1/inbox/ana?cursor=nonsense', app)).status, 400);
    assert.equal((await api.call('GET', '/v1/inbox/ana', { key: null })).status, 401);

    // Unknown ids and another user's message are 404s, and record nothing.
    assert.equal((await api.call('POST', '/v1/inbox/ana/messages/nope/read', app)).status, 404);
    assert.equal((await api.call('POST', `/v1/inbox/bo/messages/${helloId}/read`, app)).status, 404);
    assert.equal((await api.call('POST', `/v1/inbox/bo/messages/${helloId}/dismiss`, app)).status, 404);
    assert.deepEqual((await api.waymark.store.userEvents('bo', 10)).map((e) => e.name), ['Signed Up']);
    assert.equal((await api.waymark.store.listMessages({ limit: 10, userId: 'ana' })).some((m) => m.nodeId === 'thanks'), false, 'still waiting');

    // Ana reads the welcome two minutes later (twice: an app retrying); the journey waiting for it moves on.
    await api.runUntil(T0 + 2 * MINUTE);
    const read = await api.call('POST', `/v1/inbox/ana/messages/${helloId}/read`, app);
    assert.deepEqual([read.status, read.body.readAt, read.body.dismissedAt], [200, T0 + 2 * MINUTE, null]);
    await api.runUntil(T0 + 3 * MINUTE);
    assert.equal((await api.call('POST', `/v1/inbox/ana/messages/${helloId}/read`, app)).body.readAt, T0 + 2 * MINUTE, 'the first read stands');
    const events = (await api.waymark.store.userEvents('ana', 10)).filter((e) => e.name === 'Inbox Message Read');
    assert.deepEqual(events.map((e) => [e.timestamp, e.properties]), [[T0 + 2 * MINUTE, { messageId: helloId, journeyId: 'welcome', nodeId: 'hello' }]], 'one event, however often it is marked');
    const after = await api.waymark.store.listMessages({ limit: 10, userId: 'ana' });
    assert.deepEqual(after.map((m) => [m.nodeId, m.status]), [['hello', 'sent'], ['tips', 'sent'], ['thanks', 'sent']], 'the wait saw the read and went on');

    // Dismissed: out of the list unless asked for, with its event.
    const tipsId = after[1]!.id;
    const dismissed = await api.call('POST', `/v1/inbox/ana/messages/${tipsId}/dismiss`, app);
    assert.deepEqual([dismissed.status, dismissed.body.dismissedAt], [200, T0 + 3 * MINUTE]);
    const listed = await api.call('GET', '/v1/inbox/ana', app);
    assert.deepEqual(listed.body.messages.map((m: { nodeId: string; readAt: number | null }) => [m.nodeId, m.readAt]), [['thanks', null], ['hello', T0 + 2 * MINUTE]]);
    const all = await api.call('GET', '/v1/inbox/ana?dismissed=true', { key: api.admin });
    assert.deepEqual(all.body.messages.map((m: { nodeId: string; dismissedAt: number | null }) => [m.nodeId, m.dismissedAt]), [['thanks', null], ['tips', T0 + 3 * MINUTE], ['hello', null]]);
    const dismissals = (await api.waymark.store.userEvents('ana', 10)).filter((e) => e.name === 'Inbox Message Dismissed');
    assert.deepEqual(dismissals.map((e) => e.properties), [{ messageId: tipsId, journeyId: 'welcome', nodeId: 'tips' }]);
  });
});
