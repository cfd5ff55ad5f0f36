/** Project settings over HTTP, and the publish options and lifecycle status that reach the API. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { example, forEachStore } from '../helpers.ts';
import { startApi } from './helpers.ts';

await forEachStore((store) => {
  test('GET /v1/settings is {} at first; PUT replaces it, admin only, and bad caps are refused with their path', async () => {
    const api = await startApi({ store });
    assert.deepEqual(await api.call('GET', '/v1/settings'), { status: 200, body: {} });
    const caps = { frequencyCaps: [{ max: 3, per: '1d' }, { max: 1, per: '1h', channel: 'push' }] };
    assert.deepEqual(await api.call('PUT', '/v1/settings', { body: caps }), { status: 200, body: caps });
    assert.deepEqual((await api.call('GET', '/v1/settings')).body, caps);
    assert.equal((await api.call('PUT', '/v1/settings', { key: api.write, body: caps })).status, 403);
    const bad = await api.call('PUT', '/v1/settings', { body: { frequencyCaps: [{ max: 0, per: '1 day' }] } });
    assert.equal(bad.status, 400);
    const paths = bad.body.problems.map((p: { path: string }) => p.path).sort();
    assert.deepEqual(paths, ['/frequencyCaps/0/max', '/frequencyCaps/0/per']);
    assert.deepEqual((await api.call('GET', '/v1/settings')).body, caps, 'nothing half-stored');
    const zone = await api.call('PUT', '/v1/settings', { body: { ...caps, timezone: 'Mars/Olympus' } });
    assert.deepEqual([zone.status, zone.body.problems], [400, [{ path: '/timezone', message: 'unknown IANA time zone "Mars/Olympus"' }]]);
  });

  test('publish takes { moveUsers } and says how many moved; a journey with a future startAt shows as scheduled', async () => {
    const api = await startApi({ store });
    const definition = { ...example('onboarding'), setup: { startAt: '2999-01-01T00:00:00Z' } };
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'later', definition } })).status, 201);
    const published = await api.call('POST', '/v1/journeys/later/publish', { body: { moveUsers: true } });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.equal(published.body.moved, 0);
    assert.equal((await api.call('GET', '/v1/journeys/later')).body.status, 'scheduled');
    assert.equal((await api.call('GET', '/v1/journeys')).body.journeys[0].status, 'scheduled');
    const unknown = await api.call('POST', '/v1/journeys/later/publish', { body: { moveEveryone: true } });
    assert.equal(unknown.status, 400);
  });
});
