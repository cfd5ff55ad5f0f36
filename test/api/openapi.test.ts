import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApi } from './helpers.ts';

test('GET /openapi.json describes every route, its auth, and the journey definition schema', async () => {
  const api = await startApi();
  const response = await api.call('GET', '/openapi.json', { key: null });
  assert.equal(response.status, 200);
  const doc = response.body;
  assert.equal(doc.openapi, '3.1.0');
  const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, methods]) =>
    Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
  );
  for (const expected of [
    'GET /health',
    'POST /v1/events',
    'POST /v1/profiles',
    'POST /v1/identities',
    'GET /v1/journeys',
    'POST /v1/journeys',
    'POST /v1/journeys/validate',
    'GET /v1/journeys/{id}',
    'PUT /v1/journeys/{id}',
    'GET /v1/journeys/{id}/versions',
    'POST /v1/journeys/{id}/publish',
    'POST /v1/journeys/{id}/pause',
    'POST /v1/journeys/{id}/resume',
    'POST /v1/journeys/{id}/stop',
    'GET /v1/journeys/{id}/stats',
    'GET /v1/journeys/{id}/series',
    'POST /v1/journeys/{id}/backtest',
    'GET /v1/users/{userId}',
    'GET /v1/users/{userId}/events',
    'GET /v1/users/{userId}/journeys',
    'GET /v1/users/{userId}/messages',
    'GET /v1/users/{userId}/explain',
    'GET /v1/messages',
    'POST /v1/messages/{id}/resend',
    'POST /v1/messages/resend',
    'GET /v1/catalog/events',
    'GET /v1/catalog/traits',
    'POST /v1/preview',
    'POST /v1/track',
    'POST /v1/identify',
    'POST /v1/page',
    'POST /v1/screen',
    'POST /v1/group',
    'POST /v1/alias',
    'POST /v1/batch',
    'POST /1/upload',
    'GET /v1/inbox/{userId}',
    'POST /v1/inbox/{userId}/messages/{messageId}/read',
    'POST /v1/inbox/{userId}/messages/{messageId}/dismiss',
    'POST /v1/twilio/status',
    'POST /v1/twilio/inbound',
    'POST /v1/bounces',
    'GET /v1/t/o/{token}',
    'GET /v1/t/c/{token}',
    'GET /s/{code}',
    'POST /v1/t/open',
  ]) {
    assert.ok(operations.includes(expected), `${expected} is documented`);
  }

  assert.deepEqual(doc.security, [{ bearer: [] }]);
  assert.deepEqual(doc.paths['/health'].get.security, [], 'health needs no key');
  assert.deepEqual(doc.paths['/v1/twilio/status'].post.security, [], "Twilio's callbacks carry its signature, not a key");
  assert.match(doc.paths['/v1/twilio/inbound'].post.description, /X-Twilio-Signature/);
  assert.match(doc.paths['/v1/inbox/{userId}/messages/{messageId}/read'].post.description, /Inbox Message Read/);
  for (const [p, method] of [['/v1/t/o/{token}', 'get'], ['/v1/t/c/{token}', 'get'], ['/s/{code}', 'get'], ['/v1/t/open', 'post']] as const) {
    assert.deepEqual(doc.paths[p][method].security, [], `${p}: tracking needs no key (the signed token is the credential)`);
  }

  const definition = doc.components.schemas.JourneyDefinition;
  assert.deepEqual(definition.required, ['name', 'nodes', 'edges']);
  assert.ok(JSON.stringify(definition).includes('inaction'), 'the trigger kinds are in it');
  const ref = { $ref: '#/components/schemas/JourneyDefinition' };
  assert.deepEqual(doc.paths['/v1/journeys'].post.requestBody.content['application/json'].schema.properties.definition, ref);
  assert.deepEqual(doc.paths['/v1/journeys/{id}'].get.responses['200'].content['application/json'].schema.properties.draft, ref);
  assert.deepEqual(doc.paths['/v1/journeys/{id}/backtest'].post.requestBody.content['application/json'].schema.properties.definition, ref, 'an optional definition too');

  const events = doc.paths['/v1/events'].post;
  assert.match(JSON.stringify(events.requestBody), /messageId/);
  assert.ok(events.responses['400'] && events.responses['413'], 'error responses documented');

  const bounces = doc.paths['/v1/bounces'].post;
  assert.deepEqual(Object.keys(bounces.requestBody?.content ?? {}).sort(), ['message/rfc822', 'text/plain'], 'the raw message, as a mail server pipes it');
  assert.ok(bounces.responses['200'] && bounces.responses['404'] && bounces.responses['413'] && bounces.responses['422'], 'its answers documented');

  const identities = doc.paths['/v1/identities'].post;
  assert.deepEqual(identities.requestBody.content['application/json'].schema.required, ['anonymousId', 'userId']);
  assert.ok(identities.responses['409'], 'the conflict of an id merged into another user is documented');
});
