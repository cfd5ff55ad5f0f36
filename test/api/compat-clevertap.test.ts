/**
 * CleverTap's upload API (POST /1/upload) as CleverTap's server-side clients call it: account id and passcode
 * headers, { "d": [...] } of events and profiles, answered in CleverTap's shape.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtualClock } from '../../src/core/clock.ts';
import { T0, forEachStore } from '../helpers.ts';
import { startApi, type TestApi } from './helpers.ts';

async function upload(api: TestApi, body: unknown, headers: Record<string, string> = { 'x-clevertap-account-id': 'TEST-ACCOUNT', 'x-clevertap-passcode': api.write }) {
  const response = await fetch(`${api.url}/1/upload`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const TS = Math.floor(T0 / 1000) - 3600; // an hour before T0, in seconds

await forEachStore((store) => {
  test('events and profiles land; bad records are listed with CleverTap codes and the good ones kept', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    const records = [
      { type: 'event', identity: 'ana', evtName: 'Product Viewed', evtData: { sku: 'shoe-1', price: 40 }, ts: TS },
      { type: 'event', identity: 42, evtName: 'Charged' }, // a numeric identity, no ts: now
      { type: 'event', objectId: '__device-7', evtName: 'App Launched', ts: TS },
      {
        type: 'profile',
        identity: 'ana',
        ts: TS,
        profileData: { Name: 'Ana', Email: 'ana@example.test', Phone: '+15550001', Tz: 'Asia/Kolkata', 'MSG-email': false, 'MSG-sms': true, 'MSG-push': null, 'Customer Type': 'Gold' },
      },
      { type: 'event', identity: 'ana', evtData: {} },
      { type: 'event', evtName: 'Orphan' },
      { type: 'page', identity: 'ana' },
      { type: 'event', identity: 'ana', evtName: 'Late', ts: '1700000000' },
      { type: 'profile', identity: 'bo', profileData: { Email: 5 } },
      { type: 'profile', identity: 'bo', profileData: { Tz: 'Mars/Olympus' } },
      'not a record',
      { type: 'event', identity: 'ana', evtName: 'Deep', evtData: JSON.parse(`${'{"a":'.repeat(33)}1${'}'.repeat(33)}`) },
    ];
    const response = await upload(api, { d: records });
    const skipped = (i: number, code: number, error: string) => ({ status: 'fail', code, error: `${error}. Skipped record number : ${i + 1}`, record: JSON.stringify(records[i]) });
    assert.deepEqual(response, {
      status: 200,
      body: {
        status: 'success',
        processed: 4,
        unprocessed: [
          skipped(4, 509, 'evtName is mandatory'),
          skipped(5, 523, "'identity' or 'objectId' is necessary to identify the user"),
          skipped(6, 524, 'type must be "event" or "profile"'),
          skipped(7, 525, 'ts must be a UNIX epoch in seconds'),
          skipped(8, 515, '/profileData/Email must be a string or null'),
          skipped(9, 512, '/profileData/Tz must be an IANA time zone, e.g. "Europe/Paris"'),
          skipped(10, 512, 'the record is not an object'),
          skipped(11, 512, '/evtData must not nest objects and arrays more than 32 levels deep'),
        ],
      },
    });

    const events = async (userId: string) => (await api.waymark.store.userEvents(userId, 10)).map((e) => [e.name, e.timestamp, e.properties]);
    assert.deepEqual(await events('ana'), [['Product Viewed', TS * 1000, { sku: 'shoe-1', price: 40 }]]);
    assert.deepEqual(await events('42'), [['Charged', T0, {}]]);
    assert.deepEqual(await events('__device-7'), [['App Launched', TS * 1000, {}]], 'objectId stands for the user without an identity');
    const ana = await api.call('GET', '/v1/users/ana');
    assert.deepEqual(ana.body.traits, {
      name: 'Ana',
      email: 'ana@example.test',
      phone: '+15550001',
      timezone: 'Asia/Kolkata',
      emailOptOut: true,
      smsOptOut: false,
      'Customer Type': 'Gold',
    });
    assert.equal((await api.call('GET', '/v1/users/bo')).status, 404, 'the refused profiles stored nothing');

    // The same event uploaded again (a client's retry) is the same event: its id comes from its content and ts.
    const again = await upload(api, { d: [records[0]] });
    assert.deepEqual(again.body, { status: 'success', processed: 1, unprocessed: [] });
    assert.equal((await api.waymark.store.userEvents('ana', 10)).length, 1);
    // An opt-out is lifted by subscribing again.
    await upload(api, { d: [{ type: 'profile', identity: 'ana', profileData: { 'MSG-email': true } }] });
    assert.equal((await api.call('GET', '/v1/users/ana')).body.traits.emailOptOut, false);

    const allBad = await upload(api, { d: [{ type: 'event', identity: 'ana' }] });
    assert.deepEqual([allBad.status, allBad.body.status, allBad.body.processed], [200, 'fail', 0]);
  });

  test('a profile with both identity and objectId ties the device to the user: its events, traits and reads are the user\'s', async () => {
    const api = await startApi({ store, clock: new VirtualClock(T0) });
    const first = await upload(api, { d: [
      { type: 'event', objectId: '__device-9', evtName: 'Added to Cart', evtData: { sku: 'shoe-1' }, ts: TS },
      { type: 'profile', objectId: '__device-9', profileData: { 'Favourite Colour': 'red', Name: 'Guest' } },
    ] });
    assert.equal(first.body.processed, 2);
    const login = await upload(api, { d: [{ type: 'profile', identity: 'ana', objectId: '__device-9', ts: TS + 60, profileData: { Name: 'Ana', Email: 'ana@example.test' } }] });
    assert.deepEqual(login.body, { status: 'success', processed: 1, unprocessed: [] });
    const ana = (await api.call('GET', '/v1/users/ana')).body;
    // The user's own values win (Name), the device's fill what the user lacks.
    assert.deepEqual(ana.traits, { name: 'Ana', email: 'ana@example.test', 'Favourite Colour': 'red' });
    const events = (await api.call('GET', '/v1/users/ana/events')).body.events as { name: string; properties: unknown }[];
    assert.deepEqual(events.map((e) => [e.name, e.properties]), [['Added to Cart', { sku: 'shoe-1' }]]);
    const device = (await api.call('GET', '/v1/users/__device-9')).body;
    assert.deepEqual([device.userId, device.mergedFrom], ['ana', '__device-9']);
    // An event with both ids is the identity's and merges nothing.
    await upload(api, { d: [{ type: 'event', identity: 'bo', objectId: '__device-10', evtName: 'Opened', ts: TS }] });
    assert.equal((await api.call('GET', '/v1/users/bo/events')).body.events.length, 1);
    assert.equal((await api.call('GET', '/v1/users/__device-10')).status, 404);
  });

  test('the passcode is the write key; errors of the whole request come in CleverTap shape', async () => {
    const api = await startApi({ store });
    const event = { d: [{ type: 'event', identity: 'cy', evtName: 'Signed Up', ts: TS }] };
    const none = await upload(api, event, { 'x-clevertap-account-id': 'TEST-ACCOUNT' });
    assert.deepEqual(none, { status: 401, body: { status: 'fail', error: 'missing API key: send the write key as "X-CleverTap-Passcode: <key>"', code: 401 } });
    const wrong = await upload(api, event, { 'x-clevertap-account-id': 'TEST-ACCOUNT', 'x-clevertap-passcode': 'nope' });
    assert.deepEqual(wrong, { status: 401, body: { status: 'fail', error: 'invalid API key', code: 401 } });
    assert.deepEqual(await api.waymark.store.userEvents('cy', 10), []);

    // No account id is needed, and a bearer key works as on every other route.
    assert.equal((await upload(api, event, { 'x-clevertap-passcode': api.write })).body.processed, 1);
    assert.equal((await upload(api, event, { authorization: `Bearer ${api.write}` })).body.processed, 1);

    const noD = await upload(api, { data: [] });
    assert.deepEqual(noD, { status: 400, body: { status: 'fail', error: 'invalid request body: /d missing required field d', code: 400, problems: [{ path: '/d', message: 'missing required field d' }] } });
    const badJson = await upload(api, '{"d": [');
    assert.deepEqual([badJson.status, badJson.body.status, badJson.body.code], [400, 'fail', 400]);
  });
});

test('the CleverTap route is in the OpenAPI document, tagged', async () => {
  const api = await startApi();
  const doc = (await api.call('GET', '/openapi.json', { key: null })).body;
  const operation = doc.paths['/1/upload'].post;
  assert.deepEqual(operation.tags, ['clevertap']);
  assert.deepEqual(operation.security, [{ bearer: [] }, { clevertapPasscode: [] }]);
  assert.deepEqual(Object.keys(operation.responses).sort(), ['200', '400', '401', '403', '413']);
  assert.equal(doc.components.securitySchemes.clevertapPasscode.name, 'X-CleverTap-Passcode');
});
