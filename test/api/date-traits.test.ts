/**
 * Profile traits are free-form, so a trait a journey reads as a date may name a moment at or past the end of
 * what Date can hold (+275760-09-13). A delay until such a date must neither throw nor stall: the user waits
 * for a date that can be written, or takes the documented "missed" branch as for a missing date.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { eventually, startApi, type TestApi } from './helpers.ts';
import { path } from '../journeys.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';

const LAST_MS = 8_640_000_000_000_000; // +275760-09-13T00:00:00.000Z, the last moment Date can hold

/** Delay until the `renewal` trait shifted by `shift`, then wait up to a day for "Renewed"; a missed date exits. */
function renewalJourney(shift: { before?: string; after?: string }) {
  const nodes: JourneyDefinition['nodes'] = [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Subscribed' } },
    { id: 'date', kind: 'delay', untilDate: { property: 'renewal', ...shift } },
    { id: 'wait', kind: 'wait', event: 'Renewed', timeout: '1d' },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
    { id: 'out', kind: 'exit' },
  ];
  const branches = [
    { from: 'date', to: 'wait' },
    { from: 'date', to: 'out', branch: 'missed' },
    { from: 'wait', to: 'push', branch: 'timeout' },
    { from: 'wait', to: 'out', branch: 'yes' },
  ];
  return path('renewal', nodes, { setup: { timezone: 'UTC' }, branches });
}

interface Seen {
  status: string;
  nodeId: string | null;
  wakeAt: number | null;
  exit: string | null;
  explain: number;
}

/** Publishes the journey, gives each user their renewal trait, sends their entry event, and reads back where they are. */
async function run(api: TestApi, shift: { before?: string; after?: string }, renewals: Record<string, unknown>): Promise<Record<string, Seen>> {
  assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'renewal', definition: renewalJourney(shift) } })).status, 201);
  assert.equal((await api.call('POST', '/v1/journeys/renewal/publish', { body: {} })).status, 200);
  const users = Object.keys(renewals);
  const profiles = users.map((userId) => ({ userId, traits: { pushToken: 'tok', renewal: renewals[userId] } }));
  assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: { batch: profiles } })).status, 200);
  for (const userId of users) {
    const sent = await api.call('POST', '/v1/events', { key: api.write, body: { userId, event: 'Subscribed', messageId: userId } });
    assert.equal(sent.status, 200, `${userId}'s event accepted`);
  }
  const seen: Record<string, Seen> = {};
  for (const userId of users) {
    const instance = await eventually(async () => (await api.call('GET', `/v1/users/${userId}/journeys`)).body.instances?.[0], 20_000, `${userId}'s instance`);
    const explain = await api.call('GET', `/v1/users/${userId}/explain`);
    seen[userId] = { status: instance.status, nodeId: instance.nodeId, wakeAt: instance.wakeAt, exit: instance.exit?.reason ?? null, explain: explain.status };
  }
  return seen;
}

await forEachStore((store) => {
  test('a date trait at or past the end of the Date range: wait for a writable date, or take "missed"', async () => {
    const api = await startApi({ store });
    const seen = await run(api, { before: '1d' }, { last: LAST_MS, beyond: '+275760-09-14T00:00:00Z', lastIso: '+275760-09-13T00:00:00Z' });
    const waiting = { status: 'active', nodeId: 'date', wakeAt: LAST_MS - 86_400_000, exit: null, explain: 200 };
    assert.deepEqual(seen, {
      last: waiting,
      lastIso: waiting,
      beyond: { status: 'exited', nodeId: 'out', wakeAt: null, exit: 'completed', explain: 200 },
    });
    const explain = await api.call('GET', '/v1/users/last/explain');
    assert.match(explain.body.journeys[0].summary, /until \+275760-09-12T00:00:00\.000Z/);
  });

  test(
    'a date trait whose shifted moment leaves the Date range takes "missed" like a missing date',
    async () => {
      const api = await startApi({ store });
      const seen = await run(api, { after: '1d' }, { last: LAST_MS, over: LAST_MS + 1, huge: 1e300, first: -LAST_MS })
      const missed = { status: 'exited', nodeId: 'out', wakeAt: null, exit: 'completed', explain: 200 };
      assert.deepEqual(seen, { last: missed, over: missed, huge: missed, first: missed });
    },
  );
});
