/** Which nodes users in flight may be moved to when a version is published with moveUsers (src/core/move-users.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { movableNodeIds } from '../../src/core/move-users.ts';

function version(nodes: Array<[string, string]>): JourneyDefinition {
  return { name: 'j', nodes: nodes.map(([id, kind]) => ({ id, kind })), edges: [] } as unknown as JourneyDefinition;
}

test('a node kept as the same kind takes users; one new in this version is listed too (nobody is at it)', () => {
  const v1 = version([['in', 'entry'], ['push', 'send'], ['pause', 'delay'], ['out', 'exit']]);
  const v2 = version([['in', 'entry'], ['push', 'send'], ['pause', 'delay'], ['ask', 'wait'], ['out', 'exit']]);
  assert.deepEqual(movableNodeIds(v2, [v1]), ['in', 'push', 'pause', 'ask', 'out']);
});

test('a node whose id is now another kind takes nobody, whichever earlier version had the other kind', () => {
  const v1 = version([['in', 'entry'], ['pause', 'delay'], ['out', 'exit']]);
  const v2 = version([['in', 'entry'], ['pause', 'updateProfile'], ['out', 'exit']]);
  const v3 = version([['in', 'entry'], ['pause', 'delay'], ['out', 'exit']]);
  assert.deepEqual(movableNodeIds(v2, [v1]), ['in', 'out']);
  // v3 has "pause" as a delay again: users at v2's "pause" (an update, which nobody waits at) or v1's (a delay)
  // are not told apart here, so none move; those on v1 and v2 finish there.
  assert.deepEqual(movableNodeIds(v3, [v1, v2]), ['in', 'out']);
  assert.deepEqual(movableNodeIds(v3, [v1]), ['in', 'pause', 'out']);
});

test('with no earlier version every node is movable, and a node dropped from the new version is not listed', () => {
  const v1 = version([['in', 'entry'], ['pause', 'delay'], ['out', 'exit']]);
  assert.deepEqual(movableNodeIds(v1, []), ['in', 'pause', 'out']);
  assert.deepEqual(movableNodeIds(version([['in', 'entry'], ['out', 'exit']]), [v1]), ['in', 'out']);
});
