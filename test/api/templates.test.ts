/** Templates over HTTP: a file tag is refused at its path; a template failing for one user never fails a request. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { startApi } from './helpers.ts';
import { path } from '../journeys.ts';

function withBody(body: string): JourneyDefinition {
  return path('welcome', [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'text', kind: 'send', channel: 'sms', message: { body } },
      { id: 'out', kind: 'exit' },
  ]);
}

test('a template that includes a file is refused on save and on publish, at its path', async () => {
  const api = await startApi();
  const created = await api.call('POST', '/v1/journeys', { body: { id: 'welcome', definition: withBody("Hi {% include 'package.json' %}") } });
  assert.equal(created.status, 400);
  assert.deepEqual(created.body.problems, [{ path: '/definition/nodes/1/message/body', message: 'templates cannot include files ({% include %}) at line 1, column 4' }]);

  // A draft stored before the refusal (written to the store directly): publish validates it again.
  assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'welcome', definition: withBody('Hi') } })).status, 201);
  await api.waymark.store.updateJourneyDraft('welcome', withBody('{% render Event.file %}'), undefined, Date.now());
  const published = await api.call('POST', '/v1/journeys/welcome/publish');
  assert.equal(published.status, 400);
  assert.deepEqual(published.body.problems, [{ path: '/definition/nodes/1/message/body', message: 'templates cannot include files ({% render %}) at line 1, column 1' }]);
  assert.deepEqual((await api.call('GET', '/v1/journeys/welcome/versions')).body.versions, [], 'nothing published');
});

test('an event whose immediate send fails to render is accepted; the message is recorded as failed and explained', async () => {
  const api = await startApi();
  assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'welcome', definition: withBody('{% for i in (1..Profile.n) %}*{% endfor %}') } })).status, 201);
  assert.equal((await api.call('POST', '/v1/journeys/welcome/publish')).status, 200);
  const profile = await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'ana', traits: { phone: '+1555', n: 100_000_000 } } });
  assert.ok(profile.status < 300, JSON.stringify(profile.body));
  const ingested = await api.call('POST', '/v1/events', { key: api.write, body: { userId: 'ana', event: 'Signed Up', messageId: 'e-1' } });
  assert.deepEqual([ingested.status, ingested.body], [200, { accepted: 1, duplicates: 0 }]);
  const messages = await api.waymark.store.listMessages({ userId: 'ana', limit: 10 });
  assert.deepEqual(
    messages.map((m) => [m.nodeId, m.status, m.reason]),
    [['text', 'failed', 'render_failed: body: memory alloc limit exceeded, line:1, col:1']],
  );
  const explained = await api.call('GET', '/v1/users/ana/explain?journeyId=welcome');
  const step = explained.body.journeys[0].steps[0];
  assert.deepEqual([step.nodeId, step.outcome, step.detail], ['text', 'failed', 'not sent: the template failed to render for this user (body: memory alloc limit exceeded, line:1, col:1)']);
});
