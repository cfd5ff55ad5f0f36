import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { ensureApiKeys } from '../../src/api/keys.ts';
import { buildServer } from '../../src/api/server.ts';
import { JourneyService } from '../../src/app/journeys.ts';
import { openWaymark } from '../../src/app/waymark.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { example, forEachStore, tempDir } from '../helpers.ts';
import { startApi } from './helpers.ts';
import { path } from '../journeys.ts';

/** Entry "Signed Up" -> delay until 22:00 -> SMS -> wait for "Charged" (yes/timeout) -> exit, DND 21:00-09:00. */
function eveningJourney(): JourneyDefinition {
  return path('Evening nudge', [
      { id: 'start', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'evening', kind: 'delay', untilTime: '22:00' },
      { id: 'text', kind: 'send', channel: 'sms', message: { body: 'Hi {{ Profile.nickname | default: "there" }}' } },
      { id: 'paid', kind: 'wait', event: 'Charged', timeout: '1d' },
      { id: 'done', kind: 'exit' },
  ], {
    setup: { timezone: 'UTC', dnd: { start: '21:00', end: '09:00', whenInDnd: 'defer' } },
    goals: [{ id: 'bought', event: 'Charged' }],
    branches: [
      { from: 'paid', to: 'done', branch: 'yes' },
      { from: 'paid', to: 'done', branch: 'timeout' },
    ],
  });
}

await forEachStore((store) => {
  test('journey lifecycle over HTTP: create, read, update, validate, publish, pause, resume, stop', async () => {
    const api = await startApi({ store });
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
    assert.deepEqual(valid.body, { valid: true, problems: [], checks: [] });
  });

  test('an invalid definition is refused with every problem, each at its path in the body', async () => {
    const api = await startApi({ store });
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
      { path: '/colour', message: 'unknown field colour' },
      { path: '/id', message: 'must match pattern "^[a-z0-9][a-z0-9-]{0,62}$"' },
    ]);

    await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition } });
    const badUpdate = await api.call('PUT', '/v1/journeys/cart', { body: { definition: { ...definition, nodes: [] } } });
    assert.equal(badUpdate.status, 400);
    assert.ok(badUpdate.body.problems.some((p: { path: string }) => p.path === '/definition/nodes'), JSON.stringify(badUpdate.body.problems));
    assert.deepEqual((await api.call('GET', '/v1/journeys/cart')).body.draft, definition, 'the draft is unchanged');
  });

  test('stats of a journey nobody has entered yet: zeros, in definition order', async () => {
    const api = await startApi({ store });
    await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: example('abandoned-cart') } });
    const stats = (await api.call('GET', '/v1/journeys/cart/stats')).body;
    assert.deepEqual(stats.versions, []);
    assert.equal(stats.totals.entered, 0);
    assert.equal(stats.totals.inJourneyNow, 0);
    assert.deepEqual(stats.conversion, { target: { entered: 0, converted: 0, rate: null }, control: { users: 0, converted: 0, rate: null }, uplift: null, significance: null });
    assert.deepEqual(
      stats.nodes.map((n: { nodeId: string; kind: string }) => `${n.kind}:${n.nodeId}`),
      ['send:push-free-shipping', 'delay:wait-2h-before-sms', 'send:sms-10-off', 'delay:wait-2h-before-email', 'send:email-final-reminder', 'exit:done'],
    );
    assert.deepEqual(stats.byVersion, {});
  });

  test('an unexpected failure is a 500 that hides internals and still reaches the log', async (t) => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _encoding, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
    const api = await startApi({ store, logger: createLogger({ level: 'info', format: 'json', destination }) });
    t.mock.method(api.waymark.store, 'journeyPage', async () => {
      throw new Error('disk on fire at /var/secret/path');
    });
    const response = await api.call('GET', '/v1/journeys');
    assert.deepEqual([response.status, response.body], [500, { error: 'Internal Server Error', message: 'internal error; see the server log' }]);
    const failures = lines.map((l) => JSON.parse(l)).filter((r) => r.msg === 'request failed');
    assert.equal(failures.length, 1);
    assert.equal(failures[0].level, 50, 'an error');
    assert.equal(failures[0].req.url, '/v1/journeys');
    assert.match(failures[0].err.message, /disk on fire/);
    assert.match(failures[0].err.stack, /journeyPage|Error: disk on fire/);
  });

  test('publish refuses a draft with every problem listed: structural ones, then the publish checks', async () => {
    const api = await startApi({ store });
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'evening', definition: eveningJourney() } })).status, 201);

    // A draft stored before today's validation (written to the store directly): publish validates it again.
    const broken = eveningJourney();
    broken.nodes.push({ id: 'test', kind: 'abSplit', variants: [{ name: 'a', percent: 60 }, { name: 'b', percent: 50 }] });
    broken.edges = broken.edges.filter((e) => e.branch !== 'timeout'); // the wait's "timeout" not connected
    broken.edges.push({ from: 'paid', to: 'test', branch: 'timeout' }, { from: 'test', to: 'done', branch: 'a' }); // "b" not connected
    (broken.nodes[2] as { message: { body: string } }).message.body = '{{ Profile.nickname '; // does not parse
    await api.waymark.store.updateJourneyDraft('evening', broken, undefined, Date.now());
    const structural = await api.call('POST', '/v1/journeys/evening/publish');
    assert.equal(structural.status, 400);
    assert.match(structural.body.message, /^invalid journey definition: /);
    const messages = structural.body.problems.map((p: { path: string; message: string }) => `${p.path} ${p.message}`);
    for (const expected of [
      /^\/definition\/nodes\/5 node "test" has no "b" edge/,
      /^\/definition\/nodes\/5\/variants variant percentages add up to 110; they must add up to 100$/,
      /^\/definition\/nodes\/2\/message\/body template does not parse/,
    ]) {
      assert.ok(messages.some((m: string) => expected.test(m)), `expected ${expected} in ${JSON.stringify(messages, null, 1)}`);
    }

    // A draft that validates but that the publish checks refuse: both errors at once, each at its path.
    const refused = eveningJourney();
    refused.setup!.dnd!.whenInDnd = 'skip';
    refused.goals = [{ id: 'signed-up-again', event: 'Signed Up' }];
    assert.equal((await api.call('PUT', '/v1/journeys/evening', { body: { definition: refused } })).status, 200, 'a draft may be saved');
    const checked = await api.call('POST', '/v1/journeys/evening/publish');
    assert.equal(checked.status, 400);
    assert.deepEqual(checked.body.problems, [
      {
        path: '/definition/goals/0/event',
        message:
          'goal "signed-up-again" is the entry event "Signed Up" with no filters: every user has done it just to enter, so the goal measures nothing (doing it again counts as converting); make the goal the event that means success',
      },
      {
        path: '/definition/nodes/2',
        message:
          'send "text" is scheduled inside DND hours and would never be sent: it comes right after delay "evening", which ends at 22:00, always inside the DND hours, and whenInDnd is "skip"',
      },
    ]);
    assert.deepEqual((await api.call('GET', '/v1/journeys/evening/versions')).body.versions, [], 'nothing published');
    assert.equal((await api.call('GET', '/v1/journeys/evening')).body.status, 'draft');
  });

  test('publish with warnings goes ahead and returns them, documented in the OpenAPI document', async () => {
    const api = await startApi({ store });
    await api.call('POST', '/v1/journeys', { body: { id: 'evening', definition: eveningJourney() } });
    const published = await api.call('POST', '/v1/journeys/evening/publish');
    assert.equal(published.status, 200);
    assert.deepEqual([published.body.journeyId, published.body.version], ['evening', 1]);
    assert.deepEqual(published.body.warnings, [
      {
        path: '/definition/nodes/2',
        message:
          'send "text" is scheduled inside DND hours: it comes right after delay "evening", which ends at 22:00, always inside the DND hours, so it will always be deferred to when the window ends (09:00)',
      },
      {
        path: '/definition/nodes/3/event',
        message: 'wait "paid" waits for "Charged", which is also goal "bought" (exitOnGoal): the goal is checked first and exits the user, so the "yes" branch is never taken',
      },
    ]);
    assert.equal((await api.call('GET', '/v1/journeys/evening')).body.status, 'running');

    const clean = await api.call('POST', '/v1/journeys', { body: { id: 'cart', definition: example('abandoned-cart') } });
    assert.equal(clean.status, 201);
    assert.deepEqual((await api.call('POST', '/v1/journeys/cart/publish')).body.warnings, []);

    const doc = (await api.call('GET', '/openapi.json', { key: null })).body;
    const ok = doc.paths['/v1/journeys/{id}/publish'].post.responses['200'].content['application/json'].schema;
    assert.equal(ok.properties.warnings.type, 'array');
    assert.deepEqual(ok.properties.definition, { $ref: '#/components/schemas/JourneyDefinition' });
  });
});

test('publish warns about traits no profile has when the service knows the traits', async () => {
  const waymark = await openWaymark({ database: join(tempDir('waymark-api-'), 'waymark.db'), realtime: true });
  let asked = 0;
  const journeys = new JourneyService(waymark.store, waymark.engine, {
    knownTraits: async () => {
      asked += 1;
      return new Set(['name', 'email']);
    },
  });
  const keys = await ensureApiKeys(waymark.store);
  const server = await buildServer({ ...waymark, journeys });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  after(async () => {
    await server.close();
    await waymark.close();
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${keys.admin}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: await response.json() };
  };

  const definition = eveningJourney();
  delete definition.setup!.dnd;
  definition.goals = [];
  assert.equal((await call('POST', '/v1/journeys', { id: 'evening', definition })).status, 201);
  const published = await call('POST', '/v1/journeys/evening/publish');
  assert.equal(published.status, 200);
  assert.equal(asked, 1);
  assert.deepEqual(published.body.warnings, [
    { path: '/definition/nodes/2/channel', message: 'send "text" is an SMS, but no profile has a "phone" trait: it would be skipped for every user' },
    { path: '/definition/nodes/2/message/body', message: 'Profile.nickname at line 1, column 7: no profile has a "nickname" trait, so every user gets the default' },
  ]);
});
