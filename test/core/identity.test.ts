/**
 * Which passes go on when an anonymous id is merged into a user (src/core/identity.ts; docs/integrations.md,
 * "Identities"), worked out by hand: a journey only one of them is in moves over; in a journey both are in,
 * the pass that began first goes on (the user's on a tie) and the other leaves with reason "merged".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeInstances } from '../../src/core/identity.ts';
import type { Instance } from '../../src/core/instance.ts';

const NOW = 50_000;

function pass(id: string, userId: string, journeyId: string, createdAt: number): Instance {
  return {
    id, journeyId, version: 1, userId, status: 'active', nodeId: 'wait', wakeAt: createdAt + 7_200_000, createdAt, enteredAt: createdAt + 1_000, step: 3,
    entryEvent: { messageId: `e-${id}`, name: 'Added to Cart', timestamp: createdAt, properties: {} } as Instance['entryEvent'],
    nodeUntil: createdAt + 7_200_000, timeoutAt: null, convertedAt: null, exit: null,
  };
}

const gone = (i: Instance, userId = i.userId): Instance => ({ ...i, userId, status: 'exited', wakeAt: null, nodeUntil: null, exit: { reason: 'merged', at: NOW, nodeId: 'wait' } });

test('a pass in a journey the user is not in moves to the user, where it was, with its timers', () => {
  const anon = pass('a1', 'anon', 'cart', 1_000);
  const { moved, exited } = mergeInstances([anon], [pass('u1', 'ana', 'welcome', 500)], 'ana', NOW);
  assert.deepEqual(moved, [{ ...anon, userId: 'ana' }]);
  assert.equal(moved[0]!.wakeAt, 1_000 + 7_200_000);
  assert.deepEqual(exited, []);
});

test("both in one journey: the anonymous pass began first, so it goes on and the user's leaves as merged", () => {
  const anon = pass('a1', 'anon', 'cart', 1_000);
  const mine = pass('u1', 'ana', 'cart', 2_000);
  const { moved, exited } = mergeInstances([anon], [mine], 'ana', NOW);
  assert.deepEqual(moved, [{ ...anon, userId: 'ana' }]);
  assert.deepEqual(exited, [gone(mine)]);
});

test("both in one journey: the user's pass began first, or at the same moment, so the anonymous one leaves as merged, as the user's", () => {
  for (const anonAt of [3_000, 2_000]) {
    const anon = pass('a1', 'anon', 'cart', anonAt);
    const mine = pass('u1', 'ana', 'cart', 2_000);
    const { moved, exited } = mergeInstances([anon], [mine], 'ana', NOW);
    assert.deepEqual(moved, [], `anonymous pass at ${anonAt}`);
    assert.deepEqual(exited, [gone(anon, 'ana')], `anonymous pass at ${anonAt}`);
  }
});

test('several journeys at once, each decided on its own; nothing when the anonymous id had no pass', () => {
  const passes = [pass('a1', 'anon', 'cart', 1_000), pass('a2', 'anon', 'browse', 9_000), pass('a3', 'anon', 'welcome', 4_000)];
  const user = [pass('u1', 'ana', 'browse', 5_000), pass('u2', 'ana', 'welcome', 4_000)];
  const { moved, exited } = mergeInstances(passes, user, 'ana', NOW);
  assert.deepEqual(moved.map((i) => [i.id, i.userId]), [['a1', 'ana']]);
  assert.deepEqual(exited.map((i) => [i.id, i.userId, i.exit?.reason]), [['a2', 'ana', 'merged'], ['a3', 'ana', 'merged']]);
  assert.deepEqual(mergeInstances([], user, 'ana', NOW), { moved: [], exited: [] });
});
