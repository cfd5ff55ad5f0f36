import assert from 'node:assert/strict';
import { test } from 'node:test';
import { example } from '../helpers.ts';
import { startApi } from './helpers.ts';

test('journey lifecycle over HTTP: create, read, update, validate, publish, pause, resume, stop', async () => {
  const api = await startApi();
  const definition = example('abandoned-cart');

  const created = await api.call('POST', '/v1/journeys', { body: { definition, layout: { 'cart-abandoned': { x: 10, y: 20 } } } });
  assert.equal(created.status, 201);
  assert.equal(created.body.id, 'abandoned-cart-recovery', 'id from the name');
  assert.equal(created.body.status, 'draft');
  assert.equal(created.body.version, null);
  assert.deepEqual(created.body.draft, definition, 'the definition comes back exactly as sent, no defaults added');
  assert.deepEqual(created.body.layout, { 'cart-abandoned': { x: 10, y: 20 } });

  const again = await api.call('POST', '/v1/journeys', { body: { definition } });
  assert.equal(again.status, 409);
  assert.match(again.body.message, /already exists/);

  const id = created.body.id;
  assert.deepEqual((await api.call('GET', '/v1/journeys')).body.journeys.map((j: { id: string }) => j.id), [id]);
  assert.equal((await api.call('GET', `/v1/journeys/${id}`)).body.name, 'Abandoned cart recovery');
  assert.equal((await api.call('GET', '/v1/journeys/nope')).status, 404);
  assert.equal((await api.call('POST', '/v1/journeys/nope/publish')).status, 404);

  assert.equal((await api.call('POST', `/v1/journeys/${id}/resume`)).status, 409, 'never published');
  const published = await api.call('POST', `/v1/journeys/${id}/publish`);
  assert.deepEqual([published.status, published.body.version, published.body.journeyId], [200, 1, id]);
  assert.deepEqual(published.body.definition, definition);

  const renamed = { ...definition, name: 'Cart recovery v2' };
  const updated = await api.call('PUT', `/v1/journeys/${id}`, { body: { definition: renamed } });
  assert.deepEqual([updated.status, updated.body.name, updated.body.version], [200, 'Cart recovery v2', 1]);
  assert.deepEqual(updated.body.layout, { 'cart-abandoned': { x: 10, y: 20 } }, 'layout kept when not sent');
  assert.equal((await api.call('POST', `/v1/journeys/${id}/publish`)).body.version, 2);
  assert.deepEqual((await api.call('GET', `/v1/journeys/${id}/versions`)).body.versions.map((v: { version: number }) => v.version), [1, 2]);

  assert.equal((await api.call('POST', `/v1/journeys/${id}/pause`)).body.status, 'paused');
  assert.equal((await api.call('POST', `/v1/journeys/${id}/resume`)).body.status, 'running');
  const stopped = await api.call('POST', `/v1/journeys/${id}/stop`);
  assert.deepEqual([stopped.body.journey.status, stopped.body.exited], ['stopped', 0]);
  const resumeStopped = await api.call('POST', `/v1/journeys/${id}/resume`);
  assert.equal(resumeStopped.status, 409);
  assert.match(resumeStopped.body.message, /stopped/);

  const valid = await api.call('POST', '/v1/journeys/validate', { body: { definition } });
  assert.deepEqual(valid.body, { valid: true, problems: [] });
});

test('an invalid definition is refused with every problem, each at its path in the body', async () => {
  const api = await startApi();
  const definition = example('abandoned-cart');
  const broken = {
    ...definition,
    setup: { ...definition.setup, timezone: 'Mars/Base' },
    edges: [...definition.edges.filter((e) => e.from !== 'sms-10-off'), { from: 'ghost', to: 'done' }],
  };
  const created = await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: broken } });
  assert.equal(created.status, 400);
  const paths = created.body.problems.map((p: { path: string }) => p.path);
  assert.ok(paths.includes('/definition/setup/timezone'), paths.join(' '));
  assert.ok(paths.includes(`/definition/edges/${broken.edges.length - 1}/from`), paths.join(' '));
  assert.ok(paths.includes('/definition/nodes/3'), 'the SMS node now has no way out');
  assert.ok(created.body.problems.length >= 4, JSON.stringify(created.body.problems));
  assert.equal((await api.call('GET', '/v1/journeys/cart')).status, 404, 'nothing saved');

  const checked = await api.call('POST', '/v1/journeys/validate', { body: { definition: broken } });
  assert.deepEqual([checked.status, checked.body.valid], [200, false]);
  assert.deepEqual(checked.body.problems, created.body.problems, 'validate answers exactly what saving would');

  const badShape = await api.call('POST', '/v1/journeys', { body: { id: 'Not An Id', definition: { name: '' }, colour: 'red' } });
  assert.equal(badShape.status, 400);
  assert.deepEqual(badShape.body.problems, [
    { path: '/colour', message: 'is not an allowed field' },
    { path: '/id', message: 'must match pattern "^[a-z0-9][a-z0-9-]{0,62}$"' },
  ]);

  await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition } });
  const badUpdate = await api.call('PUT', '/v1/journeys/cart', { body: { definition: { ...definition, nodes: [] } } });
  assert.equal(badUpdate.status, 400);
  assert.ok(badUpdate.body.problems.some((p: { path: string }) => p.path === '/definition/nodes'), JSON.stringify(badUpdate.body.problems));
  assert.deepEqual((await api.call('GET', '/v1/journeys/cart')).body.draft, definition, 'the draft is unchanged');
});

test('stats of a journey nobody has entered yet: zeros, in definition order', async () => {
  const api = await startApi();
  await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: example('abandoned-cart') } });
  const stats = (await api.call('GET', '/v1/journeys/cart/stats')).body;
  assert.deepEqual(stats.versions, []);
  assert.equal(stats.totals.entered, 0);
  assert.deepEqual(stats.conversion, { target: { entered: 0, converted: 0, rate: null }, control: { users: 0, converted: 0, rate: null }, uplift: null });
  assert.deepEqual(
    stats.nodes.map((n: { nodeId: string; kind: string }) => `${n.kind}:${n.nodeId}`),
    ['send:push-free-shipping', 'delay:wait-2h-before-sms', 'send:sms-10-off', 'delay:wait-2h-before-email', 'send:email-final-reminder', 'exit:done'],
  );
  assert.deepEqual(stats.byVersion, {});
});

test('an unexpected failure is a 500 that hides internals and still reaches stderr', async (t) => {
  const api = await startApi();
  const logged = t.mock.method(console, 'error', () => {});
  t.mock.method(api.waymark.store, 'listJourneys', async () => {
    throw new Error('disk on fire at /var/secret/path');
  });
  const response = await api.call('GET', '/v1/journeys');
  assert.deepEqual([response.status, response.body], [500, { error: 'Internal Server Error', message: 'internal error; see the server log' }]);
  assert.equal(logged.mock.callCount(), 1);
  assert.match(String(logged.mock.calls[0]!.arguments[1]), /disk on fire/);
});
