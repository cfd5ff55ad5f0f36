/**
 * What the API refuses at its edge, identically on both stores: nesting beyond the limits, NUL and unpaired
 * surrogates anywhere (bodies, paths, query strings), timestamps outside 1970..9999; and what it must let
 * through: non-BMP text, and every id its path schemas allow. Bad input never reaches the store, so it
 * cannot fail the events of other clients committed in the same batch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { eventually, startApi, type TestApi } from './helpers.ts';

/** `levels` levels of objects, itself included: nested(1) is { a: 1 }, nested(2) is { a: { a: 1 } }. */
function nested(levels: number): Record<string, unknown> {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value as Record<string, unknown>;
}

/** The same as raw JSON text, for depths a test's own JSON.stringify may not reach. */
function nestedText(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

const TOO_DEEP = 'must not nest objects and arrays more than 32 levels deep';
const NUL = 'must not contain the NUL character (U+0000)';
const SURROGATE = 'must not contain an unpaired UTF-16 surrogate (U+D800 to U+DFFF)';
const OUT_OF_RANGE = 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z';
const LAST_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

async function storedIds(api: TestApi, userId: string): Promise<string[]> {
  return (await api.waymark.store.userEvents(userId, 100)).map((e) => e.messageId).sort();
}

await forEachStore((store) => {
  test('properties and traits nest at most 32 levels; deeper is 400 naming the field', async () => {
    const api = await startApi({ store });
    const event = (properties: unknown, messageId: string) => ({ userId: 'ana', event: 'Viewed', messageId, properties });

    const atLimit = await api.call('POST', '/v1/events', { key: api.write, body: event(nested(32), 'e-32') }); // the properties object is level 1
    assert.deepEqual([atLimit.status, atLimit.body], [200, { accepted: 1, duplicates: 0 }]);
    assert.deepEqual((await api.waymark.store.userEvents('ana', 1))[0]!.properties, nested(32), 'stored as sent');

    const over = await api.call('POST', '/v1/events', { key: api.write, body: event(nested(33), 'e-33') });
    assert.equal(over.status, 400);
    assert.deepEqual(over.body.problems, [{ path: '/properties', message: TOO_DEEP }]);

    const arrays = await api.call('POST', '/v1/events', { key: api.write, body: event({ list: JSON.parse('['.repeat(32) + ']'.repeat(32)) }, 'e-arrays') }); // 1 + 32
    assert.deepEqual(arrays.body.problems, [{ path: '/properties', message: TOO_DEEP }], 'arrays count as levels too');

    const batch = await api.call('POST', '/v1/events', { key: api.write, body: { batch: [event({}, 'e-ok'), event(nested(33), 'e-deep')] } });
    assert.deepEqual([batch.status, batch.body.problems], [400, [{ path: '/batch/1/properties', message: TOO_DEEP }]]);
    assert.deepEqual(await storedIds(api, 'ana'), ['e-32'], 'a refused batch stores nothing');

    const profile = await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'ana', traits: nested(33) } });
    assert.deepEqual([profile.status, profile.body.problems], [400, [{ path: '/traits', message: TOO_DEEP }]]);
    const profiles = await api.call('POST', '/v1/profiles', { key: api.write, body: { batch: [{ userId: 'bo', traits: nested(32) }, { userId: 'cy', traits: nested(33) }] } });
    assert.deepEqual([profiles.status, profiles.body.problems], [400, [{ path: '/batch/1/traits', message: TOO_DEEP }]]);
    assert.equal(await api.waymark.store.getProfile('bo'), null);
    const fine = await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'bo', traits: nested(32) } });
    assert.deepEqual([fine.status, (await api.waymark.store.getProfile('bo'))?.traits], [200, nested(32)]);
  });

  test('a body nested 5,000 deep is refused alone: the events sent alongside it are stored', async () => {
    const api = await startApi({ store });
    const deep = `{"userId":"mallory","event":"Viewed","messageId":"deep","properties":${nestedText(5000)}}`;
    const deepTraits = `{"userId":"mallory","traits":{"x":${nestedText(5000)}}}`;
    const [bad, badProfile, ...good] = await Promise.all([
      api.call('POST', '/v1/events', { key: api.write, raw: deep }),
      api.call('POST', '/v1/profiles', { key: api.write, raw: deepTraits }),
      ...Array.from({ length: 8 }, (_, i) => api.call('POST', '/v1/events', { key: api.write, body: { userId: `u${i}`, event: 'Viewed', messageId: `ok-${i}` } })),
    ]);
    assert.deepEqual([bad!.status, bad!.body.problems], [400, [{ path: '/properties', message: TOO_DEEP }]]);
    assert.deepEqual([badProfile!.status, badProfile!.body.problems], [400, [{ path: '/traits', message: TOO_DEEP }]]);
    assert.deepEqual(good.map((r) => r.status), [200, 200, 200, 200, 200, 200, 200, 200]);
    for (let i = 0; i < 8; i++) assert.deepEqual(await storedIds(api, `u${i}`), [`ok-${i}`]);
    assert.deepEqual(await storedIds(api, 'mallory'), []);
  });

  test('any body nests at most 64 levels, even where no schema looks (a journey layout)', async () => {
    const api = await startApi({ store });
    const definition = {
      name: 'n',
      nodes: [
        { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'E' } },
        { id: 'out', kind: 'exit' },
      ],
      edges: [{ from: 'in', to: 'out' }],
    };
    // The body is level 1, layout 2, "in" 3, "extra" 4: its 61st nested array is level 65.
    const extra = JSON.parse('['.repeat(70) + ']'.repeat(70));
    const response = await api.call('POST', '/v1/journeys', { body: { id: 'n', definition, layout: { in: { x: 0, y: 0, extra } } } });
    assert.equal(response.status, 400);
    assert.deepEqual(response.body.problems, [{ path: `/layout/in/extra${'/0'.repeat(61)}`, message: 'nests objects and arrays more than 64 levels deep, counting from the top of the request' }]);
    assert.equal((await api.call('GET', '/v1/journeys/n')).status, 404, 'not stored');
  });

  test('NUL and unpaired surrogates are refused in bodies, naming the field; nothing is stored', async () => {
    const api = await startApi({ store });
    const post = (path: string, body: unknown) => api.call('POST', path, { key: api.write, body });
    const cases: Array<[path: string, body: unknown, problems: Array<{ path: string; message: string }>]> = [
      ['/v1/events', { userId: 'a\u0000b', event: 'E' }, [{ path: '/userId', message: NUL }]],
      ['/v1/events', { userId: 'a', event: 'E\u0000' }, [{ path: '/event', message: NUL }]],
      ['/v1/events', { userId: 'a', event: 'E', messageId: '\u0000' }, [{ path: '/messageId', message: NUL }]],
      ['/v1/events', { userId: 'a', event: 'E', properties: { 'k\u0000': 1 } }, [{ path: '/properties', message: `has a key that ${NUL}` }]],
      ['/v1/events', { userId: 'a', event: 'E', properties: { list: [{ v: 'x\u0000' }] } }, [{ path: '/properties/list/0/v', message: NUL }]],
      ['/v1/events', { userId: 'a\ud800', event: 'E' }, [{ path: '/userId', message: SURROGATE }]],
      ['/v1/events', { userId: 'a', event: 'E', properties: { k: '\udc00x' } }, [{ path: '/properties/k', message: SURROGATE }]],
      ['/v1/events', { userId: 'a', event: 'E', properties: { ['\ude00']: 1 } }, [{ path: '/properties', message: `has a key that ${SURROGATE}` }]],
      [
        '/v1/events',
        { batch: [{ userId: 'a', event: 'E' }, { userId: 'b', event: 'E', properties: { k: 'v\u0000' } }] },
        [{ path: '/batch/1/properties/k', message: NUL }],
      ],
      ['/v1/profiles', { userId: 'a\u0000', traits: {} }, [{ path: '/userId', message: NUL }]],
      ['/v1/profiles', { userId: 'a', traits: { name: 'Ana\u0000' } }, [{ path: '/traits/name', message: NUL }]],
      ['/v1/profiles', { userId: 'a', traits: { 'k\u0000': 1 } }, [{ path: '/traits', message: `has a key that ${NUL}` }]],
      ['/v1/profiles', { batch: [{ userId: 'a', traits: { plan: 'pro\ud83d' } }] }, [{ path: '/batch/0/traits/plan', message: SURROGATE }]],
    ];
    for (const [path, body, problems] of cases) {
      const response = await post(path, body);
      assert.deepEqual([response.status, response.body.problems], [400, problems], JSON.stringify(body));
    }
    for (const userId of ['a', 'b', 'a\ufffd', 'a\ufffdb']) {
      assert.deepEqual(await storedIds(api, userId), [], `no event for ${JSON.stringify(userId)}`);
      assert.equal(await api.waymark.store.getProfile(userId), null);
    }
  });

  test('NUL in a path or query parameter is 400 naming the parameter, on every route that takes one', async () => {
    const api = await startApi({ store });
    const expect = (name: string, where: string) => ({ status: 400, problems: [{ path: `/${name}`, message: NUL, in: where }] });
    const cases: Array<[method: string, url: string, name: string, where: string]> = [
      ['GET', '/v1/users/a%00b', 'userId', 'params'],
      ['GET', '/v1/users/a%00b/events', 'userId', 'params'],
      ['GET', '/v1/users/a%00b/journeys', 'userId', 'params'],
      ['GET', '/v1/users/a%00b/messages', 'userId', 'params'],
      ['GET', '/v1/users/a%00b/explain', 'userId', 'params'],
      ['GET', '/v1/users/a/explain?journeyId=j%00', 'journeyId', 'querystring'],
      ['GET', '/v1/messages?userId=a%00b', 'userId', 'querystring'],
      ['GET', '/v1/messages?journeyId=%00', 'journeyId', 'querystring'],
      ['GET', '/v1/journeys/a%00b', 'id', 'params'],
      ['GET', '/v1/journeys/a%00b/stats', 'id', 'params'],
      ['POST', '/v1/journeys/a%00b/pause', 'id', 'params'],
      ['POST', '/v1/messages/a%00b/click', 'id', 'params'],
    ];
    for (const [method, url, name, where] of cases) {
      const response = await api.call(method, url);
      assert.deepEqual({ status: response.status, problems: response.body.problems }, expect(name, where), `${method} ${url}`);
    }
  });

  test('non-BMP text (emoji, astral symbols) is stored and read back exactly, by body and by path', async () => {
    const api = await startApi({ store });
    const userId = 'ana😀';
    const event = { userId, event: 'Viewed 🛒', messageId: 'm-🎁', timestamp: '2026-11-02T15:00:00Z', properties: { '🎁': '𝄞 gift', list: ['👍🏽'] } };
    assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: event })).status, 200);
    assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: { userId, traits: { name: 'Ana 👩‍💻' } } })).status, 200);

    const path = `/v1/users/${encodeURIComponent(userId)}`;
    const events = await api.call('GET', `${path}/events`);
    assert.deepEqual(
      events.body.events.map((e: Record<string, unknown>) => [e.userId, e.name, e.messageId, e.properties]),
      [['ana😀', 'Viewed 🛒', 'm-🎁', { '🎁': '𝄞 gift', list: ['👍🏽'] }]],
    );
    const profile = await api.call('GET', path);
    assert.deepEqual([profile.status, profile.body.traits], [200, { name: 'Ana 👩‍💻' }]);
    const messages = await api.call('GET', `/v1/messages?userId=${encodeURIComponent(userId)}`);
    assert.deepEqual([messages.status, messages.body.messages], [200, []]);

    // The longest user id, all astral: 200 characters, 400 UTF-16 units, 800 bytes of UTF-8.
    const longest = '😀'.repeat(200);
    assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { userId: longest, event: 'E', messageId: 'long' } })).status, 200);
    const read = await api.call('GET', `/v1/users/${encodeURIComponent(longest)}/events`);
    assert.deepEqual([read.status, read.body.events.map((e: { messageId: string }) => e.messageId)], [200, ['long']]);
  });

  test('event timestamps run from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z, in both forms', async () => {
    const api = await startApi({ store });
    const send = (timestamp: unknown, messageId: string) => api.call('POST', '/v1/events', { key: api.write, body: { userId: 'ana', event: 'E', messageId, timestamp } });
    for (const [timestamp, id] of [
      [0, 'n-first'],
      [LAST_MS, 'n-last'],
      ['1970-01-01T00:00:00Z', 's-first'],
      ['9999-12-31T23:59:59.999Z', 's-last'],
      ['9999-12-31T23:59:59+00:00', 's-last-offset'],
    ] as const) {
      const response = await send(timestamp, id);
      assert.equal(response.status, 200, `${timestamp} is accepted`);
    }
    for (const [timestamp, message] of [
      [LAST_MS + 1, 'must be <= 253402300799999'],
      [8_640_000_000_000_001, 'must be <= 253402300799999'],
      [-1, 'must be >= 0'],
      ['1969-12-31T23:59:59.999Z', OUT_OF_RANGE],
      ['0001-01-01T00:00:00Z', OUT_OF_RANGE],
      ['1970-01-01T00:30:00+01:00', OUT_OF_RANGE], // 1969-12-31T23:30:00Z
      ['9999-12-31T23:00:00-01:00', OUT_OF_RANGE], // 10000-01-01T00:00:00Z
    ] as const) {
      const response = await send(timestamp, 'refused');
      assert.deepEqual([response.status, response.body.problems], [400, [{ path: '/timestamp', message }]], String(timestamp));
    }
    const batch = await api.call('POST', '/v1/events', { key: api.write, body: { batch: [{ userId: 'bo', event: 'E' }, { userId: 'bo', event: 'E', timestamp: '1960-01-01T00:00:00Z' }] } });
    assert.deepEqual(batch.body.problems, [{ path: '/batch/1/timestamp', message: OUT_OF_RANGE }]);
    const stored = await api.waymark.store.userEvents('ana', 10);
    assert.deepEqual(
      stored.map((e) => [e.messageId, e.timestamp]).sort(),
      [
        ['n-first', 0],
        ['n-last', LAST_MS],
        ['s-first', 0],
        ['s-last', LAST_MS],
        ['s-last-offset', LAST_MS - 999],
      ],
    );
    assert.deepEqual(await storedIds(api, 'bo'), []);
  });

  test('a user who entered a journey on an event at the edge of the range can be read and explained', async () => {
    const api = await startApi({ store });
    const definition = {
      name: 'edge',
      nodes: [
        { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
        { id: 'wait', kind: 'delay', duration: '30d' },
        { id: 'out', kind: 'exit' },
      ],
      edges: [
        { from: 'in', to: 'wait' },
        { from: 'wait', to: 'out' },
      ],
    };
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'edge', definition } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/edge/publish', { body: {} })).status, 200);
    for (const [userId, timestamp] of [
      ['first', '1970-01-01T00:00:00Z'],
      ['last', LAST_MS],
    ] as const) {
      assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { userId, event: 'Signed Up', messageId: userId, timestamp } })).status, 200);
      const journeys = await eventually(async () => {
        const response = await api.call('GET', `/v1/users/${userId}/journeys`);
        return response.body.instances?.length > 0 ? response : undefined;
      }, 20_000);
      assert.deepEqual(
        [journeys.status, journeys.body.instances.map((i: { nodeId: string; entryEvent: { timestamp: number } }) => [i.nodeId, i.entryEvent.timestamp])],
        [200, [['wait', userId === 'first' ? 0 : LAST_MS]]],
      );
      const explain = await api.call('GET', `/v1/users/${userId}/explain`);
      assert.deepEqual([explain.status, explain.body.journeys.map((j: { status: string }) => j.status)], [200, ['active']]);
    }
  });

  test('every message id the click route allows is addressable, slashes and emoji included', async () => {
    const api = await startApi({ store });
    // The longest journey and node ids, and a 200-character entry event id: a message id of 341 characters (with
    // the entry's time, nine base-36 digits).
    const journeyId = `j${'x'.repeat(62)}`;
    const nodeId = `p${'y'.repeat(63)}`;
    const entryId = `e/😀?#%${'z'.repeat(194)}`;
    const definition = {
      name: 'long ids',
      nodes: [
        { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
        { id: nodeId, kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
        { id: 'out', kind: 'exit' },
      ],
      edges: [
        { from: 'in', to: nodeId },
        { from: nodeId, to: 'out' },
      ],
    };
    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: journeyId, definition } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/' + journeyId + '/publish', { body: {} })).status, 200);
    assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: { userId: 'ana', traits: { pushToken: 'tok' } } })).status, 200);
    assert.equal((await api.call('POST', '/v1/events', { key: api.write, body: { userId: 'ana', event: 'Signed Up', messageId: entryId } })).status, 200);
    const message = await eventually(async () => (await api.call('GET', '/v1/users/ana/messages')).body.messages[0] as { id: string } | undefined, 20_000);
    const [start, time, rest] = [message!.id.slice(0, journeyId.length + 1), message!.id.slice(journeyId.length + 1, journeyId.length + 11), message!.id.slice(journeyId.length + 11)];
    assert.deepEqual([start, /^[0-9a-z]{9}:$/.test(time), rest], [`${journeyId}:`, true, `${entryId}:${nodeId}:1`]);
    assert.equal([...message!.id].length, 341);

    const click = await api.call('POST', `/v1/messages/${encodeURIComponent(message!.id)}/click`, { key: api.write });
    assert.deepEqual([click.status, click.body], [200, { ok: true }]);
    const after = (await api.call('GET', '/v1/users/ana/messages')).body.messages[0];
    assert.equal(typeof after.clickedAt, 'number');

    const longest = await api.call('POST', `/v1/messages/${encodeURIComponent('😀'.repeat(500))}/click`, { key: api.write });
    assert.deepEqual([longest.status, longest.body.message], [404, `no message "${'😀'.repeat(500)}"`], '500 characters: looked up');
    const tooLong = await api.call('POST', `/v1/messages/${'x'.repeat(501)}/click`, { key: api.write });
    assert.deepEqual([tooLong.status, tooLong.body.problems], [400, [{ path: '/id', message: 'must NOT have more than 500 characters', in: 'params' }]]);
  });
});
