/**
 * The canvas's edits as pure functions of the snapshot: the JSON they make is the JSON a person would write
 * (no branch on "next", readable ids, nothing added), and where the new cards go.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addBelow, addNode, connect, copy, idBase, moveBy, paste, remove, renameNode, starterNode, tidy } from '../../web/src/lib/edit.ts';
import type { Registry } from '../../web/src/lib/meta.ts';
import type { DefinitionLike } from '../../web/src/lib/graph.ts';
import type { Point } from '../../web/src/lib/layout.ts';
import { nodeOfPath, problemsByNode, saveBlocker, type Checked, type Problem } from '../../web/src/lib/problems.ts';

const branch = (name: string, label: string, optional = false) => ({ name, label, optional });
const registry: Registry = {
  nodes: [
    { kind: 'entry', label: 'Entry', category: 'entry', description: '', fields: [], branches: [branch('next', 'Entered')] },
    { kind: 'send', label: 'Send message', category: 'message', description: '', fields: [], branches: [branch('next', 'Sent'), branch('unreachable', 'Unreachable', true)] },
    { kind: 'delay', label: 'Delay', category: 'timing', description: '', fields: [], branches: [branch('next', 'Then'), branch('missed', 'Missed', true)] },
    { kind: 'split', label: 'Split', category: 'branching', description: '', fields: [], branches: [branch('yes', 'Yes'), branch('no', 'No')] },
    { kind: 'abSplit', label: 'A/B split', category: 'branching', description: '', fields: [], branches: [], branchesFrom: 'variants' },
    { kind: 'exit', label: 'Exit', category: 'exit', description: '', fields: [], branches: [] },
  ],
  channels: [],
};

/** A snapshot as the editor holds it: a draft and its layout. */
interface Shot {
  draft: DefinitionLike;
  layout: Record<string, Point>;
}

/** Entry -> exit, as a new journey starts. */
function start(): Shot {
  return {
    draft: {
      name: 'Drawn',
      nodes: [
        { id: 'entry', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [{ from: 'entry', to: 'exit' }],
    },
    layout: { entry: { x: 0, y: 0 }, exit: { x: 0, y: 192 } },
  };
}

test('new nodes: readable fresh ids, what each kind starts from, and one entry only', () => {
  assert.deepEqual(
    [{ kind: 'send', channel: 'sms' }, { kind: 'abSplit' }, { kind: 'updateProfile' }, { kind: 'delay' }].map(idBase),
    ['sms', 'ab-split', 'update-profile', 'delay'],
  );
  const one = addNode(start(), { kind: 'send', channel: 'sms' }, { x: 10.4, y: 20.6 });
  const two = addNode(one.snapshot, { kind: 'send', channel: 'sms' }, { x: 0, y: 0 });
  assert.deepEqual([one.id, two.id], ['sms-1', 'sms-2']);
  assert.deepEqual(two.snapshot.draft.nodes.at(-1), { id: 'sms-2', kind: 'send', channel: 'sms', message: {} });
  assert.deepEqual(two.snapshot.layout['sms-1'], { x: 10, y: 21 }, 'whole pixels');
  assert.deepEqual(two.snapshot.draft.edges, [{ from: 'entry', to: 'exit' }], 'nothing connected');
  assert.deepEqual(starterNode('d', { kind: 'delay' }), { id: 'd', kind: 'delay', duration: '1d' });
  assert.deepEqual(starterNode('ab', { kind: 'abSplit' }), { id: 'ab', kind: 'abSplit', variants: [{ name: 'A', percent: 50 }, { name: 'B', percent: 50 }] });
  assert.deepEqual(starterNode('w', { kind: 'wait' }), { id: 'w', kind: 'wait', event: '', timeout: '1d' });

  const second = addNode(start(), { kind: 'entry' }, { x: 0, y: 0 });
  assert.equal(second.id, null);
  assert.equal(second.snapshot.draft.nodes.length, 2, 'a journey has one entry');
  const withoutEntry = remove(start(), ['entry']);
  assert.equal(addNode(withoutEntry, { kind: 'entry' }, { x: 0, y: 0 }).id, 'entry-1');
});

test('connect: "next" has no branch in the JSON, a branch keeps one edge, and the same edge changes nothing', () => {
  const s = addNode(addNode(start(), { kind: 'split' }, { x: 0, y: 400 }).snapshot, { kind: 'exit' }, { x: 0, y: 600 }).snapshot;
  const yes = connect(s, 'split-1', 'yes', 'exit');
  const no = connect(yes, 'split-1', 'no', 'exit-1');
  assert.deepEqual(no.draft.edges, [
    { from: 'entry', to: 'exit' },
    { from: 'split-1', to: 'exit', branch: 'yes' },
    { from: 'split-1', to: 'exit-1', branch: 'no' },
  ]);
  const moved = connect(no, 'split-1', 'yes', 'exit-1');
  assert.deepEqual(moved.draft.edges[1], { from: 'split-1', to: 'exit-1', branch: 'yes' }, 'replaced where it was');
  assert.equal(moved.draft.edges.length, 3);
  const entry = connect(no, 'entry', 'next', 'split-1');
  assert.deepEqual(entry.draft.edges[0], { from: 'entry', to: 'split-1' });
  assert.equal(connect(no, 'split-1', 'no', 'exit-1'), no, 'unchanged: the same snapshot');
  assert.equal(connect(no, 'split-1', 'no', 'ghost'), no, 'no edge to a node that is not there');
});

test('add below: into the way out when it is taken, the rest moving down; else on the first free way, beside', () => {
  // Entry -> exit; an SMS below the entry goes between them, and the exit moves down a row.
  const sms = addBelow(start(), { kind: 'send', channel: 'sms' }, 'entry', registry);
  assert.equal(sms.id, 'sms-1');
  assert.deepEqual(sms.snapshot.draft.edges, [
    { from: 'entry', to: 'sms-1' },
    { from: 'sms-1', to: 'exit' },
  ]);
  assert.deepEqual(sms.snapshot.layout, { entry: { x: 0, y: 0 }, exit: { x: 0, y: 384 }, 'sms-1': { x: 0, y: 192 } });

  // The SMS's "Sent" is taken and "Unreachable" optional: a split goes into "Sent", its "yes" on to the exit.
  const split = addBelow(sms.snapshot, { kind: 'split' }, 'sms-1', registry);
  assert.deepEqual(split.snapshot.draft.edges, [
    { from: 'entry', to: 'sms-1' },
    { from: 'sms-1', to: 'split-1' },
    { from: 'split-1', to: 'exit', branch: 'yes' },
  ]);
  assert.deepEqual(split.snapshot.layout['exit'], { x: 0, y: 576 });

  // The split's "no" is free: an exit goes on it, half a column right of the split (168), moved right by
  // another half column (to 336) because the first exit's card covers that spot.
  const exit = addBelow(split.snapshot, { kind: 'exit' }, 'split-1', registry);
  assert.equal(exit.id, 'exit-1');
  assert.deepEqual(exit.snapshot.draft.edges.at(-1), { from: 'split-1', to: 'exit-1', branch: 'no' });
  assert.deepEqual(exit.snapshot.layout['exit-1'], { x: 336, y: 576 });

  // No free way and nothing to insert after an exit: it stands alone below.
  const lone = addBelow(exit.snapshot, { kind: 'delay' }, 'exit-1', registry);
  assert.deepEqual([lone.id, lone.snapshot.draft.edges.length, lone.snapshot.layout['delay-1']], ['delay-1', 4, { x: 336, y: 768 }]);
  assert.equal(addBelow(start(), { kind: 'delay' }, 'ghost', registry).id, null);
});

test('remove nodes with their edges and positions, or single edges by their canvas id', () => {
  const s = addBelow(start(), { kind: 'delay' }, 'entry', registry).snapshot;
  const gone = remove(s, ['delay-1']);
  assert.deepEqual(gone.draft.nodes.map((n) => n.id), ['entry', 'exit']);
  assert.deepEqual(gone.draft.edges, [], 'both edges of the delay went with it');
  assert.deepEqual(Object.keys(gone.layout), ['entry', 'exit']);
  const cut = remove(s, [], ['delay-1->exit:next']);
  assert.deepEqual(cut.draft.edges, [{ from: 'entry', to: 'delay-1' }]);
  assert.equal(remove(s, ['ghost'], ['x->y:next']), s);
});

test('copy and paste: fresh ids, the edges among the copied nodes, moved by the offset; no second entry', () => {
  let s = addBelow(start(), { kind: 'send', channel: 'sms' }, 'entry', registry).snapshot;
  s = addBelow(s, { kind: 'delay' }, 'sms-1', registry).snapshot;
  // entry -> sms-1 -> delay-1 -> exit, at rows 0..3.
  const clip = copy(s, ['sms-1', 'delay-1', 'entry']);
  assert.deepEqual(
    clip.edges,
    [
      { from: 'entry', to: 'sms-1' },
      { from: 'sms-1', to: 'delay-1' },
    ],
    'only the edges among them',
  );
  const pasted = paste(s, clip, { x: 40, y: 40 });
  assert.deepEqual(pasted.ids, ['sms-2', 'delay-2']);
  assert.deepEqual(pasted.snapshot.draft.nodes.slice(4), [
    { id: 'sms-2', kind: 'send', channel: 'sms', message: {} },
    { id: 'delay-2', kind: 'delay', duration: '1d' },
  ]);
  assert.deepEqual(pasted.snapshot.draft.edges.slice(3), [{ from: 'sms-2', to: 'delay-2' }]);
  assert.deepEqual([pasted.snapshot.layout['sms-2'], pasted.snapshot.layout['delay-2']], [{ x: 40, y: 232 }, { x: 40, y: 424 }]);
  assert.deepEqual(paste(pasted.snapshot, clip, { x: 80, y: 80 }).ids, ['sms-3', 'delay-3']);
  const onlyEntry = copy(s, ['entry']);
  assert.equal(paste(s, onlyEntry, { x: 40, y: 40 }).snapshot, s);
  // The clip is a copy: changing the journey afterwards does not change what is pasted.
  s.draft.nodes[2]!.channel = 'push';
  assert.equal(clip.nodes[1]!.channel, 'sms');
});

test('nudge, rename and tidy up', () => {
  const s = addBelow(start(), { kind: 'split' }, 'entry', registry).snapshot;
  assert.deepEqual(moveBy(s, ['entry', 'ghost'], 10, -5).layout.entry, { x: 10, y: -5 });
  assert.equal(moveBy(s, ['ghost'], 10, 0), s);

  const renamed = renameNode(s, 'split-1', 'is-vip');
  assert.deepEqual(renamed.draft.edges, [
    { from: 'entry', to: 'is-vip' },
    { from: 'is-vip', to: 'exit', branch: 'yes' },
  ]);
  assert.deepEqual(renamed.layout['is-vip'], { x: 0, y: 192 });
  assert.equal(renamed.layout['split-1'], undefined);
  assert.equal(renameNode(s, 'split-1', 'exit'), s, 'an id in use is refused');

  // entry -> split; yes -> exit, no -> exit-1: rows of 192, the two exits a column (336) apart, Yes on the left.
  const branched = addBelow(s, { kind: 'exit' }, 'split-1', registry).snapshot;
  const tidied = tidy(branched).layout;
  assert.deepEqual(
    ['entry', 'split-1', 'exit', 'exit-1'].map((id) => tidied[id]!.y),
    [0, 192, 384, 384],
  );
  assert.equal(tidied['exit-1']!.x - tidied['exit']!.x, 336);
  assert.equal(tidied['entry']!.x, tidied['split-1']!.x, 'the trunk is straight');
});

test('problems land on the node their path names in the draft that was checked, edges on the node they leave', () => {
  const checked = addBelow(start(), { kind: 'split' }, 'entry', registry).snapshot;
  // entry, exit, split-1; edges entry->split-1, split-1->exit (yes).
  const problem = (path: string, source: Problem['source'] = 'validation'): Problem => ({ path, message: path, source, severity: source === 'validation' ? 'error' : 'warning' });
  const problems = [problem('/nodes/2/where'), problem('/nodes/2'), problem('/edges/0/to', 'publish'), problem('/setup/timezone'), problem('/nodes/9')];
  // Since the check, the exit was removed: split-1 is now the second node, and its problems stay with it.
  const current = remove(checked, ['exit']);
  const editor = { current, checked: checked.draft, problems } as unknown as Checked;
  const byNode = problemsByNode(editor);
  assert.deepEqual([...byNode.keys()], ['split-1', 'entry']);
  assert.deepEqual(byNode.get('split-1')!.map((p) => p.path), ['/nodes/2/where', '/nodes/2']);
  assert.deepEqual(byNode.get('entry')!.map((p) => p.path), ['/edges/0/to']);
  assert.equal(problemsByNode(editor), byNode, 'computed once per answer');
  assert.equal(nodeOfPath(checked.draft, '/nodes/x'), null);
  assert.equal(nodeOfPath(checked.draft, '/goals/0/event'), null);

  assert.equal(saveBlocker(editor), 'Fix the 4 problems first: the server does not save a draft that does not validate.');
  assert.equal(saveBlocker({ problems: [problem('/nodes/0', 'publish')] }), null, 'publish checks do not block saving');
});

test('a send node becomes an A/B split of its messages: each variant a send leading where the send led', async () => {
  const { splitIntoVariants } = await import('../../web/src/lib/edit.ts');
  const shot: Shot = {
    draft: {
      name: 'j',
      nodes: [
        { id: 'in', kind: 'entry' },
        { id: 'push-1', kind: 'send', channel: 'push', message: { title: 'Old', body: 'old' } },
        { id: 'out', kind: 'exit' },
        { id: 'fallback', kind: 'exit' },
      ],
      edges: [
        { from: 'in', to: 'push-1' },
        { from: 'push-1', to: 'out' },
        { from: 'push-1', to: 'fallback', branch: 'unreachable' },
      ],
    },
    layout: { in: { x: 0, y: 0 }, 'push-1': { x: 0, y: 120 }, out: { x: 0, y: 240 }, fallback: { x: 300, y: 240 } },
  };
  const messages = [{ title: 'A', body: 'a' }, { title: 'B', body: 'b' }, { title: 'C', body: 'c' }];
  const { snapshot, splitId } = splitIntoVariants(shot, 'push-1', messages);
  assert.equal(splitId, 'ab-split-1');
  assert.deepEqual(snapshot.draft.nodes, [
    { id: 'in', kind: 'entry' },
    { id: 'out', kind: 'exit' },
    { id: 'fallback', kind: 'exit' },
    { id: 'ab-split-1', kind: 'abSplit', variants: [{ name: 'A', percent: 34 }, { name: 'B', percent: 33 }, { name: 'C', percent: 33 }] },
    { id: 'push-1', kind: 'send', channel: 'push', message: { title: 'A', body: 'a' } },
    { id: 'push-2', kind: 'send', channel: 'push', message: { title: 'B', body: 'b' } },
    { id: 'push-3', kind: 'send', channel: 'push', message: { title: 'C', body: 'c' } },
  ]);
  assert.deepEqual(snapshot.draft.edges, [
    { from: 'in', to: 'ab-split-1' },
    { from: 'ab-split-1', to: 'push-1', branch: 'A' },
    { from: 'ab-split-1', to: 'push-2', branch: 'B' },
    { from: 'ab-split-1', to: 'push-3', branch: 'C' },
    { from: 'push-1', to: 'out' },
    { from: 'push-1', to: 'fallback', branch: 'unreachable' },
    { from: 'push-2', to: 'out' },
    { from: 'push-2', to: 'fallback', branch: 'unreachable' },
    { from: 'push-3', to: 'out' },
    { from: 'push-3', to: 'fallback', branch: 'unreachable' },
  ]);
  assert.deepEqual(snapshot.layout['ab-split-1'], { x: 0, y: 120 }, 'the split where the send was');
  assert.equal(snapshot.layout.out!.y, 240 + (snapshot.layout['push-1']!.y - 120), 'what followed moved down a row');
  assert.equal(splitIntoVariants(shot, 'push-1', [messages[0]!]).snapshot, shot, 'one message is no A/B test');
  assert.equal(splitIntoVariants(shot, 'out', messages).snapshot, shot, 'only a send');
});
