/**
 * Dead letters sent again over HTTP, on both stores and a virtual clock, after a real outage: webhooks aimed
 * through an outage gate (test/channels/outage-gate.ts) answering 503 until the test brings it up, retried
 * until each message is dead (8 attempts, none reaching the receiver); then, the receiver back, sent again
 * one by one (POST /v1/messages/{id}/resend) or by a filter (POST /v1/messages/resend), each delivered once
 * with its own id as its webhook-id. A message not dead is a 409 saying its status; an id of another project
 * is unknown there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import type { NewMessage } from '../../src/store/store.ts';
import { forEachStore, T0 } from '../helpers.ts';
import { path } from '../journeys.ts';
import { outageGate, type OutageGate } from '../channels/outage-gate.ts';
import { webhookReceiver } from '../channels/webhook-receiver.ts';
import { startDeliveryApi, type Answer } from './delivery-api.ts';
import { startApi } from './helpers.ts';

const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

type Row = { id: string; journeyId: string; userId: string; status: string; attempts: number; nextAttemptAt: number | null; reason: string | null };

/** A server whose webhooks go through a gate that answers 503, with journeys `orders` and `signup`, each one webhook node. */
async function outage(kind: 'sqlite' | 'postgres', file: string) {
  const api = await startDeliveryApi(kind, file);
  const hooks = await webhookReceiver();
  const gate = await outageGate({ port: hooks.port }, 'http', 'unavailable');
  assert.equal((await api.call('PUT', '/v1/providers/webhook', { provider: 'webhook', secret: SECRET, allowHosts: ['127.0.0.1'] })).status, 200);
  await api.reread();
  for (const id of ['orders', 'signup']) {
    const journey = path(id, [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: id } },
      { id: 'hook', kind: 'send', channel: 'webhook', message: { url: `${gate.url}/${id}`, body: '{"user": "{{ Profile.name }}"}' } },
      { id: 'out', kind: 'exit' },
    ], { setup: { timezone: 'UTC' } });
    assert.equal((await api.call('POST', '/v1/journeys', { id, definition: journey })).status, 201);
    assert.equal((await api.call('POST', `/v1/journeys/${id}/publish`)).status, 200);
  }
  const log = async (): Promise<Row[]> => {
    const answer = await api.call('GET', '/v1/messages?limit=100');
    assert.equal(answer.status, 200, answer.text);
    return answer.body.messages;
  };
  /** Dispatches, then moves the clock to the latest retry due, until no message is pending. */
  const driveUntilSettled = async (): Promise<Row[]> => {
    for (let round = 0; round < 20; round++) {
      await api.waymark.engine.dispatch();
      const pending = (await log()).filter((m) => m.status === 'pending');
      if (pending.length === 0) return log();
      api.clock.set(Math.max(api.clock.now(), ...pending.map((m) => m.nextAttemptAt ?? 0)));
    }
    throw new Error('the retries did not come to an end');
  };
  return { ...api, hooks, gate, log, driveUntilSettled };
}

const stats = async (call: (method: string, p: string) => Promise<Answer>, journey: string) => {
  const node = (await call('GET', `/v1/journeys/${journey}/stats`)).body.nodes.find((n: { nodeId: string }) => n.nodeId === 'hook');
  return { sent: node.sent, failed: node.failed };
};

async function deadAfterOutage(gate: OutageGate, rows: Row[], expected: number) {
  assert.deepEqual(rows.map((m) => [m.status, m.attempts, m.reason]), Array(expected).fill(['dead', 8, 'http_503']), 'each dead after its 8 attempts');
  assert.equal(gate.turnedAway(), 8 * expected, 'every attempt was refused');
}

await forEachStore((kind) => {
  test('a dead letter sent again after the outage is delivered once, under its own id, after exactly the attempts expected', async () => {
    const { waymark, clock, call, write, hooks, gate, log, driveUntilSettled } = await outage(kind, 'resend-one.db');
    await waymark.engine.upsertProfiles([{ userId: 'ana', traits: { name: 'Ana' } }]);
    await waymark.engine.ingestNow([{ messageId: 'o-ana', userId: 'ana', name: 'orders', timestamp: T0, properties: {} }]);
    const rows = await driveUntilSettled();
    await deadAfterOutage(gate, rows, 1);
    assert.deepEqual(hooks.ids, [], 'nothing reached the receiver');
    const id = rows[0]!.id;
    assert.deepEqual(await stats(call, 'orders'), { sent: 0, failed: 1 });

    await gate.setMode('up');
    assert.equal((await call('POST', `/v1/messages/${encodeURIComponent(id)}/resend`, {}, write)).status, 403, 'the write key cannot');
    const resent = await call('POST', `/v1/messages/${encodeURIComponent(id)}/resend`, {});
    assert.equal(resent.status, 200, resent.text);
    const now = clock.now();
    assert.deepEqual(
      [resent.body.message.id, resent.body.message.status, resent.body.message.attempts, resent.body.message.nextAttemptAt, resent.body.message.reason],
      [id, 'pending', 0, now, 'http_503'],
      'pending again, due now, attempts from 0, the last reason kept until the next attempt',
    );
    const again = await call('POST', `/v1/messages/${encodeURIComponent(id)}/resend`, {});
    assert.deepEqual([again.status, again.body.message], [409, `message "${id}" is pending: it is queued to be sent; only a dead letter can be sent again`]);

    await waymark.engine.dispatch();
    assert.deepEqual(hooks.ids, [id], 'delivered once, with its own id as webhook-id');
    assert.equal(gate.turnedAway(), 8, 'no attempt refused since');
    assert.deepEqual((await log()).map((m) => [m.id, m.status, m.attempts, m.reason]), [[id, 'sent', 1, null]]);
    assert.deepEqual(await stats(call, 'orders'), { sent: 1, failed: 0 }, 'counted once, as sent');

    // Sent now: never again, by id or by filter.
    const sent = await call('POST', `/v1/messages/${encodeURIComponent(id)}/resend`, {});
    assert.deepEqual([sent.status, sent.body.message], [409, `message "${id}" was sent: a message the provider took is never sent twice; only a dead letter can be sent again`]);
    assert.deepEqual((await call('POST', '/v1/messages/resend', { journeyId: 'orders' })).body, { requeued: 0 });
    await waymark.engine.dispatch();
    assert.deepEqual(hooks.ids, [id]);
    const unknown = await call('POST', '/v1/messages/nope/resend', {});
    assert.deepEqual([unknown.status, unknown.body.message], [404, 'no message "nope"']);
  });

  test('dead letters sent again by a filter: journey, user, creation time; a dry run counts; each delivered once', async () => {
    const { waymark, clock, call, hooks, gate, log, driveUntilSettled } = await outage(kind, 'resend-many.db');
    await waymark.engine.upsertProfiles(['ana', 'bo', 'cy'].map((userId) => ({ userId, traits: { name: userId } })));
    await waymark.engine.ingestNow([
      { messageId: 'o-ana', userId: 'ana', name: 'orders', timestamp: T0, properties: {} },
      { messageId: 'o-bo', userId: 'bo', name: 'orders', timestamp: T0, properties: {} },
    ]);
    clock.set(T0 + 60_000);
    await waymark.engine.ingestNow([{ messageId: 's-cy', userId: 'cy', name: 'signup', timestamp: T0 + 60_000, properties: {} }]);
    await deadAfterOutage(gate, await driveUntilSettled(), 3);
    await gate.setMode('up');
    const idOf = async (userId: string) => (await log()).find((m) => m.userId === userId)!.id;

    const bad = async (body: unknown, field: string) => {
      const answer = await call('POST', '/v1/messages/resend', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.ok(answer.body.problems.some((p: { path: string }) => p.path === field), `${JSON.stringify(body)}: ${answer.text}`);
    };
    await bad({ nodeId: 'hook' }, '/nodeId');
    await bad({ since: 'yesterday' }, '/since');
    await bad({ since: T0 + 1, until: T0 }, '/until');
    await bad({ channel: 'pigeon' }, '/channel');
    await bad({ status: 'dead' }, '/status');

    assert.deepEqual((await call('POST', '/v1/messages/resend', { journeyId: 'orders', dryRun: true })).body, { requeued: 2 });
    assert.deepEqual((await log()).map((m) => m.status), ['dead', 'dead', 'dead'], 'a dry run changes nothing');
    assert.deepEqual((await call('POST', '/v1/messages/resend', { journeyId: 'orders', userId: 'ana' })).body, { requeued: 1 });
    // cy's message was made a minute after the others: a window from then holds it alone (ISO or epoch ms).
    assert.deepEqual((await call('POST', '/v1/messages/resend', { since: new Date(T0 + 60_000).toISOString(), channel: 'webhook' })).body, { requeued: 1 });
    assert.deepEqual((await log()).map((m) => [m.userId, m.status]), [['ana', 'pending'], ['bo', 'dead'], ['cy', 'pending']]);
    assert.deepEqual((await call('POST', '/v1/messages/resend', { until: T0 + 60_000 })).body, { requeued: 1 }, 'bo, made before');
    assert.deepEqual((await call('POST', '/v1/messages/resend', {})).body, { requeued: 0 });

    await waymark.engine.dispatch();
    assert.deepEqual(hooks.ids.sort(), [await idOf('ana'), await idOf('bo'), await idOf('cy')].sort(), 'each once');
    assert.deepEqual((await log()).map((m) => [m.status, m.attempts]), [['sent', 1], ['sent', 1], ['sent', 1]]);
    assert.deepEqual([await stats(call, 'orders'), await stats(call, 'signup')], [{ sent: 2, failed: 0 }, { sent: 1, failed: 0 }]);
  });

  test("a dead letter is unknown to another project's key: a 404 there, and a filter there moves nothing", async () => {
    const api = await startApi({ store: kind, clock: new VirtualClock(T0), rateLimit: null });
    const s = api.waymark.store;
    const message: NewMessage = {
      id: 'dead-here', journeyId: 'orders', version: 1, instanceId: 'i-dead', nodeId: 'hook', userId: 'ana', channel: 'webhook', status: 'pending', reason: null,
      content: { url: 'https://hooks.x.test/', body: '{}' }, createdAt: T0, sentAt: null,
    };
    await s.ingestEvents([{ messageId: 'e1', userId: 'ana', name: 'x', timestamp: T0, properties: {} }], T0, () => ({ instances: [], stats: [], messages: [message] }));
    await s.pendingMessages(10, T0);
    await s.recordOutcomes([{ id: 'dead-here', status: 'dead', at: T0 + 1, error: 'http_503', provider: 'webhook' }]);

    const made = await api.call('POST', '/v1/projects', { body: { id: 'shop-b', name: 'Shop B' } });
    assert.equal(made.status, 201);
    const other = made.body.keys.admin as string;
    assert.equal((await api.call('POST', '/v1/messages/dead-here/resend', { key: other, body: {} })).status, 404);
    assert.deepEqual((await api.call('POST', '/v1/messages/resend', { key: other, body: {} })).body, { requeued: 0 });
    assert.equal((await s.getMessage('dead-here'))?.status, 'dead', 'left dead in its own project');
    // Its own project's admin key sends it again.
    assert.equal((await api.call('POST', '/v1/messages/dead-here/resend', { body: {} })).status, 200);
    assert.equal((await s.getMessage('dead-here'))?.status, 'pending');
  });
});
