/**
 * The engine in a thread of its own (src/engine/thread), as `waymark serve` runs it on SQLite: the main
 * thread's API writes journeys and reads results on its own connection; events and profiles cross to the
 * engine's thread, which commits them with what they cause. Real time, but no waiting on it: a send of the
 * built-in outbox is committed with the event that caused it, so it is there once `ingest` resolves.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openThreadedWaymark } from '../../src/app/waymark.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import { tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';

const WELCOME: JourneyDefinition = path('welcome', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi {{ Profile.name | default: "there" }}', body: 'Welcome, {{ Event.plan }}' } },
  { id: 'out', kind: 'exit' },
]);

function signedUp(userId: string, plan = 'pro'): JourneyEvent {
  return { messageId: `signup-${userId}`, userId, name: 'Signed Up', timestamp: Date.now(), properties: { plan } };
}

async function open() {
  const fatal: Error[] = [];
  const w = await openThreadedWaymark({ file: join(tempDir(), 'waymark.db'), onFatal: (error) => fatal.push(error) });
  after(() => w.close());
  return { w, fatal };
}

test('events and profiles cross to the engine thread; what they cause is read on the main thread', async () => {
  const { w, fatal } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome'); // written here, then reloaded by the engine's thread
  await w.engine.upsertProfiles([{ userId: 'ana', traits: { name: 'Ana', pushToken: 'tok-ana' } }]);

  assert.deepEqual(await w.engine.ingest([signedUp('ana', 'team')]), { accepted: 1, duplicates: 0 });
  assert.deepEqual(await w.engine.ingest([signedUp('ana', 'team')]), { accepted: 0, duplicates: 1 });

  const sent = await w.store.listMessages({ userId: 'ana', limit: 10 });
  assert.deepEqual(sent.map((m) => [m.nodeId, m.status, m.content]), [['push', 'sent', { to: 'tok-ana', title: 'Hi Ana', body: 'Welcome, team' }]]);
  assert.deepEqual((await w.store.getProfile('ana'))?.traits, { name: 'Ana', pushToken: 'tok-ana' });
  assert.deepEqual(fatal, []);
});

test('calls made in the same moment all resolve, each with its own answer', async () => {
  const { w } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome');
  const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
  await w.engine.upsertProfiles(users.map((userId) => ({ userId, traits: { pushToken: `tok-${userId}` } })));

  const answers = await Promise.all(users.map((u, i) => w.engine.ingest(i % 4 === 0 ? [signedUp(u), signedUp(u)] : [signedUp(u)])));

  assert.deepEqual(answers.map((a) => a.accepted + a.duplicates), users.map((_, i) => (i % 4 === 0 ? 2 : 1)));
  assert.deepEqual(answers.map((a) => a.accepted), users.map(() => 1));
  const sent = await w.store.listMessages({ journeyId: 'welcome', limit: 100 });
  assert.deepEqual(sent.map((m) => m.userId).sort(), [...users].sort());
});

test('a paused journey stops taking users at once: the pause reaches the engine thread before the call returns', async () => {
  const { w } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome');
  await w.engine.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'a' } }, { userId: 'bo', traits: { pushToken: 'b' } }]);
  await w.engine.ingest([signedUp('ana')]);
  await w.journeys.pause('welcome');
  await w.engine.ingest([signedUp('bo')]);
  const sent = await w.store.listMessages({ journeyId: 'welcome', limit: 10 });
  assert.deepEqual(sent.map((m) => m.userId), ['ana']);
});

test('close commits what was queued, ends the thread, and a call after it fails with a reason', async () => {
  const { w } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome');
  await w.engine.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'a' } }]);
  const queued = w.engine.ingest([signedUp('ana')]);
  await w.close();
  assert.deepEqual(await queued, { accepted: 1, duplicates: 0 });
  await assert.rejects(w.engine.ingest([signedUp('bo')]), /engine's thread exited/);
});

test('a provider set on the main thread reaches the engine thread at once: the next webhook is POSTed, not kept in the outbox', async () => {
  const { w } = await open();
  const received: Array<{ id: string | undefined; body: string }> = [];
  let arrived: () => void = () => {};
  const got = new Promise<void>((resolve) => (arrived = resolve));
  const receiver = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ id: request.headers['webhook-id'] as string | undefined, body });
      response.end('ok');
      arrived();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  after(() => receiver.close());
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  await w.journeys.create({
    id: 'hook',
    definition: path('hook', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'post', kind: 'send', channel: 'webhook', message: { url, body: '{"name": "{{ Profile.name }}", "plan": "{{ Event.plan }}"}' } },
      { id: 'out', kind: 'exit' },
    ]),
  });
  await w.journeys.publish('hook');
  await w.engine.upsertProfiles([{ userId: 'ana', traits: { name: 'Ana' } }]);
  await w.store.saveProvider('webhook', { provider: 'webhook', secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`, allowHosts: ['127.0.0.1'] }, Date.now());
  await w.engine.reloadJourneys(); // what PUT /v1/providers does after saving

  await w.engine.ingest([signedUp('ana', 'team')]);
  await got; // dispatched by the engine's thread after the commit (the test's own ceiling bounds the wait)
  const [message] = await w.store.listMessages({ journeyId: 'hook', limit: 10 });
  assert.equal(received.length, 1);
  assert.equal(received[0]!.id, message!.id);
  assert.deepEqual(JSON.parse(received[0]!.body), { name: 'Ana', plan: 'team' });
});

test("an error in the engine's thread reaches the caller whole: its message, name and code", async () => {
  const { w, fatal } = await open();
  const bad = { ...signedUp('ana'), userId: null } as unknown as JourneyEvent; // past the API's validation, as a bug would be
  const error = await w.engine.ingest([bad]).then(
    () => assert.fail('a null user id was stored'),
    (e: unknown) => e as Error & { code?: string },
  );
  assert.ok(error instanceof Error);
  assert.match(error.message, /NOT NULL constraint failed: events\.user_id/);
  assert.equal(error.code, 'SQLITE_CONSTRAINT_NOTNULL');
  assert.deepEqual(fatal, [], 'one bad call does not stop the engine');
  await w.engine.upsertProfiles([{ userId: 'bo', traits: { pushToken: 'b' } }]);
  assert.deepEqual(await w.engine.ingest([signedUp('bo')]), { accepted: 1, duplicates: 0 });
});

test('an identify crosses in order with the events around it: before it the anonymous id’s, after it the user’s', async () => {
  const { w, fatal } = await open();
  await w.journeys.create({ id: 'welcome', definition: WELCOME });
  await w.journeys.publish('welcome');
  await w.engine.upsertProfiles([{ userId: 'ana', traits: { pushToken: 'tok-ana' } }]);

  // Called together, not awaited one by one: the thread must take them in this order.
  const [before, merged, later] = await Promise.all([
    w.engine.ingest([signedUp('anon-1')]),
    w.engine.identify({ from: 'anon-1', into: 'ana' }),
    w.engine.ingest([{ messageId: 'later', userId: 'anon-1', name: 'Viewed', timestamp: Date.now(), properties: {} }]),
  ]);
  assert.deepEqual([before.accepted, later.accepted], [1, 1]);
  assert.deepEqual(merged, { outcome: 'merged', userId: 'ana', events: 1, instances: 1, exited: 0 });
  // The sign-up was decided as anon-1's (no push token then), then moved to Ana with its pass and message.
  const messages = await w.store.listMessages({ userId: 'ana', limit: 10 });
  assert.deepEqual(messages.map((m) => [m.nodeId, m.status, m.reason]), [['push', 'skipped', 'no_push_token']]);
  assert.deepEqual((await w.store.userEvents('ana', 10)).map((e) => e.messageId).sort(), ['later', 'signup-anon-1']);
  assert.deepEqual(await w.store.userEvents('anon-1', 10), []);
  assert.deepEqual(fatal, []);
});
