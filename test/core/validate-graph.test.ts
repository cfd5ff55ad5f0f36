/**
 * The checks validation makes past the schema (src/core/validate.ts): the graph (ids, edges, branches, loops,
 * reachability) and the setup (zones, DND, timeline, cool-down, goals). Each document is the smallest that
 * shows one rule, and the problems expected are written out in full.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJourney } from '../../src/core/validate.ts';

type Node = Record<string, unknown> & { id: string; kind: string };
type Edge = { from: string; to: string; branch?: string };

const entry: Node = { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Go' } };
const push = (id: string): Node => ({ id, kind: 'send', channel: 'push', message: { title: 't', body: 'b' } });
const pause = (id: string): Node => ({ id, kind: 'delay', duration: '1h' });
const out: Node = { id: 'out', kind: 'exit' };
const vipSplit = (id: string): Node => ({ id, kind: 'split', where: [{ property: 'vip', op: '=', value: true }] });

function problems(nodes: Node[], edges: Edge[], extra: Record<string, unknown> = {}): string[] {
  const result = compileJourney({ name: 'j', nodes, edges, ...extra });
  return result.ok ? [] : result.problems.map((p) => `${p.path} ${p.message}`);
}

const line = (...ids: string[]): Edge[] => ids.slice(1).map((to, i) => ({ from: ids[i]!, to }));

test('the smallest journey is valid', () => {
  assert.deepEqual(problems([entry, push('p'), out], line('in', 'p', 'out')), []);
});

test('a node id used twice is named at the second use', () => {
  assert.deepEqual(problems([entry, push('p'), { ...push('p') }, out], line('in', 'p', 'out')), ['/nodes/2/id duplicate node id "p"']);
});

test('edges from or to a node that is not there, and edges into the entry', () => {
  assert.deepEqual(problems([entry, push('p'), out], [...line('in', 'p', 'out'), { from: 'ghost', to: 'out' }]), ['/edges/2/from edge from unknown node "ghost"']);
  assert.deepEqual(problems([entry, push('p'), out], [...line('in', 'p'), { from: 'p', to: 'in' }, { from: 'p', to: 'out' }]), [
    '/edges/1/to no edge may lead into the entry node',
    '/nodes/1 node "p" has 2 outgoing "next" edges; it needs exactly one',
    '/edges the graph has a loop with no delay in it; users would spin forever',
  ]);
});

test('an exit takes no edges out; a node with one way out needs it', () => {
  assert.deepEqual(problems([entry, push('p'), out], [...line('in', 'p', 'out'), { from: 'out', to: 'p' }]), [
    '/nodes/2 exit node "out" cannot have outgoing edges',
    '/edges the graph has a loop with no delay in it; users would spin forever',
  ]);
  assert.deepEqual(problems([entry, push('p'), out], line('in', 'p')), [
    '/nodes/1 node "p" has no way out; connect it to another node or to an exit',
    '/nodes/2 node "out" cannot be reached from the entry',
  ]);
});

test('a split needs one "yes" and one "no"; an unknown label lists the branches there are', () => {
  const nodes = [entry, vipSplit('vip'), push('a'), push('b'), out];
  const tail: Edge[] = [...line('a', 'out'), ...line('b', 'out')];
  assert.deepEqual(problems(nodes, [...line('in', 'vip'), { from: 'vip', to: 'a', branch: 'yes' }, { from: 'vip', to: 'b', branch: 'no' }, ...tail]), []);
  assert.deepEqual(problems(nodes, [...line('in', 'vip'), { from: 'vip', to: 'a', branch: 'yes' }, { from: 'vip', to: 'b', branch: 'yes' }, ...tail]), [
    '/nodes/1 node "vip" has 2 outgoing "yes" edges; it needs exactly one',
    '/nodes/1 node "vip" has no "no" edge; connect it to another node or to an exit',
  ]);
  assert.deepEqual(problems(nodes, [...line('in', 'vip'), { from: 'vip', to: 'a', branch: 'yes' }, { from: 'vip', to: 'b', branch: 'maybe' }, ...tail]), [
    '/edges/2/branch split node "vip" has no branch "maybe"; its branches are "yes", "no"',
    '/nodes/1 node "vip" has no "no" edge; connect it to another node or to an exit',
  ]);
});

test('an optional branch ("unreachable" of a send) may be drawn once, not twice', () => {
  const nodes = [entry, push('p'), push('fallback'), out];
  const base = [...line('in', 'p', 'out'), ...line('fallback', 'out')];
  assert.deepEqual(problems(nodes, [...base, { from: 'p', to: 'fallback', branch: 'unreachable' }]), []);
  assert.deepEqual(problems(nodes, [...base, { from: 'p', to: 'fallback', branch: 'unreachable' }, { from: 'p', to: 'out', branch: 'unreachable' }]), [
    '/nodes/1 node "p" has 2 outgoing "unreachable" edges; it may have one',
  ]);
});

test('loops: one through a delay is allowed, one without is not; paths that meet again are no loop', () => {
  const split = vipSplit('vip');
  const loopBack = (node: Node) => problems([entry, node, split, out], [...line('in', node.id, 'vip'), { from: 'vip', to: node.id, branch: 'yes' }, { from: 'vip', to: 'out', branch: 'no' }]);
  assert.deepEqual(loopBack(pause('wait')), []);
  assert.deepEqual(loopBack(push('nag')), ['/edges the graph has a loop with no delay in it; users would spin forever']);
  // A diamond: two ways from the split to the same send, then on.
  const diamond = [entry, split, push('a'), push('b'), push('join'), out];
  assert.deepEqual(problems(diamond, [...line('in', 'vip'), { from: 'vip', to: 'a', branch: 'yes' }, { from: 'vip', to: 'b', branch: 'no' }, ...line('a', 'join'), ...line('b', 'join'), ...line('join', 'out')]), []);
});

test('setup: a zone that is not one, DND half given or empty, a timeline that ends before it starts, a cool-down without re-entry', () => {
  const nodes = [entry, push('p'), out];
  const edges = line('in', 'p', 'out');
  const withSetup = (setup: Record<string, unknown>) => problems(nodes, edges, { setup });
  assert.deepEqual(withSetup({ timezone: 'Europe/Paris' }), []);
  assert.deepEqual(withSetup({ timezone: 'Mars/Olympus' }), ['/setup/timezone unknown IANA time zone "Mars/Olympus"']);
  assert.deepEqual(withSetup({ dnd: { start: '22:00' } }), ['/setup/dnd give both "start" and "end", or neither']);
  assert.deepEqual(withSetup({ dnd: { whenInDnd: 'skip' } }), ['/setup/dnd give "start" and "end" (every day) or "windows" (per weekday)']);
  assert.deepEqual(withSetup({ dnd: { start: '22:00', end: '22:00' } }), ['/setup/dnd a window from a time to the same time is empty; leave it out']);
  const week = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  assert.deepEqual(withSetup({ dnd: { windows: [{ start: '10:00', end: '10:00', days: week }] } }), ['/setup/dnd a window from a time to the same time is empty; leave it out']);
  assert.deepEqual(withSetup({ dnd: { windows: [{ start: '22:00', end: '08:00', days: week }] } }), []);
  for (const days of [['sat'], ['mon', 'tue'], undefined]) {
    const windows = [{ start: '22:00', end: '08:00' }, { start: '12:00', end: '12:00', ...(days ? { days } : {}) }];
    assert.deepEqual(withSetup({ dnd: { windows } }), ['/setup/dnd a window from a time to the same time is empty; leave it out'], `days ${JSON.stringify(days)}: empty on those days too`);
  }
  assert.deepEqual(withSetup({ startAt: '2027-01-01T00:00:00Z', endAt: '2027-01-01T00:00:00Z' }), ['/setup/endAt endAt must be after startAt']);
  assert.deepEqual(withSetup({ startAt: '2027-01-01T00:00:00Z', endAt: '2026-12-31T23:00:00+02:00' }), ['/setup/endAt endAt must be after startAt'], 'compared as instants: 21:00Z the day before');
  assert.deepEqual(withSetup({ startAt: '2027-01-01T00:00:00Z', endAt: '2026-12-31T23:00:00-02:00' }), [], 'and 01:00Z is after');
  assert.deepEqual(withSetup({ startAt: '2027-01-01T00:00:00Z', endAt: '2027-01-01T00:00:00.001Z' }), []);
  assert.deepEqual(withSetup({ endAt: '2020-01-01T00:00:00Z' }), [], 'an end alone is not compared with anything');
  assert.deepEqual(withSetup({ reentryCooldown: '1d' }), ["/setup/reentryCooldown a cool-down needs reentry 'afterExit'"]);
  assert.deepEqual(withSetup({ reentry: 'never', reentryCooldown: '1d' }), ["/setup/reentryCooldown a cool-down needs reentry 'afterExit'"]);
  assert.deepEqual(withSetup({ reentry: 'afterExit', reentryCooldown: '1d' }), []);
});

test('goals: an id used twice is named at the second', () => {
  const goal = { id: 'paid', event: 'Charged' };
  assert.deepEqual(problems([entry, push('p'), out], line('in', 'p', 'out'), { goals: [goal, { ...goal, event: 'Order Completed' }] }), ['/goals/1/id duplicate goal id "paid"']);
});

test('a node that is no object, or of a kind there is not, is named with the kinds there are; the document may be null', () => {
  const kinds = 'expected one of entry, send, delay, wait, split, abSplit, updateProfile, exit';
  assert.deepEqual(problems([entry, null as never, out], line('in', 'out')), [`/nodes/1/kind unknown node kind undefined; ${kinds}`]);
  assert.deepEqual(problems([entry, { id: 'x', kind: 'toString' }, out], line('in', 'out')), [`/nodes/1/kind unknown node kind "toString"; ${kinds}`]);
  assert.deepEqual(problems([entry, { id: 'x', kind: '__proto__' }, out], line('in', 'out')), [`/nodes/1/kind unknown node kind "__proto__"; ${kinds}`]);
  assert.deepEqual(problems([entry, { id: 'x', kind: 7 } as never, out], line('in', 'out')), [`/nodes/1/kind unknown node kind 7; ${kinds}`]);
  const none = compileJourney(null);
  assert.deepEqual(none.ok ? [] : none.problems, [{ path: '/', message: 'must be object' }]);
});
