import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstLine, summarize, toArrows, toCards, type DefinitionLike } from '../../web/src/lib/graph.ts';
import { layoutOf } from '../../web/src/lib/layout.ts';
import { asRegistry, type Registry } from '../../web/src/lib/meta.ts';
import { initialViewport } from '../../web/src/lib/viewport.ts';
import { example } from '../helpers.ts';

/** A registry as GET /v1/meta/nodes shapes it, cut down to what these tests read. */
const registry: Registry = {
  nodes: [
    { kind: 'entry', label: 'Entry', category: 'entry', description: '', fields: [], branches: [{ name: 'next', label: 'Entered', optional: false }], counters: [] },
    {
      kind: 'send',
      label: 'Send message',
      category: 'message',
      description: '',
      fields: [],
      branches: [
        { name: 'next', label: 'Sent', optional: false },
        { name: 'unreachable', label: 'Unreachable', optional: true },
      ],
      counters: ['entered', 'sent', 'failed', 'skipped', 'opened', 'clicked', 'goal'],
    },
    { kind: 'split', label: 'Split', category: 'branching', description: '', fields: [], branches: [{ name: 'yes', label: 'Yes', optional: false }, { name: 'no', label: 'No', optional: false }], counters: ['entered', 'goal'] },
    { kind: 'abSplit', label: 'A/B split', category: 'branching', description: '', fields: [], branches: [], branchesFrom: 'variants', counters: ['entered', 'goal'] },
    { kind: 'exit', label: 'Exit', category: 'exit', description: '', fields: [], branches: [], counters: ['entered'] },
  ],
  channels: [{ name: 'email', label: 'Email' }],
};

const journey: DefinitionLike = {
  name: 'Test',
  nodes: [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'ab', kind: 'abSplit', variants: [{ name: 'a', percent: 30 }, { name: 'b', percent: 70 }] },
    { id: 'mail', kind: 'send', channel: 'email', message: { subject: 'Hello {{ Profile.name | default: "friend" }}', body: '<p>x</p>' } },
    { id: 'vip', kind: 'split', where: [{ property: 'plan', op: 'in', value: ['pro', 'business'] }, { property: 'age', op: '>', value: 30 }] },
    { id: 'out', kind: 'exit' },
  ],
  edges: [
    { from: 'in', to: 'ab' },
    { from: 'ab', to: 'mail', branch: 'a' },
    { from: 'ab', to: 'vip', branch: 'b' },
    { from: 'mail', to: 'vip' },
    { from: 'mail', to: 'out', branch: 'unreachable' },
    { from: 'vip', to: 'out', branch: 'yes' },
    { from: 'vip', to: 'out', branch: 'no' },
  ],
};

test('arrows carry the registry’s branch labels, variants their shares, and a lone way out none', () => {
  assert.deepEqual(
    toArrows(journey, registry).map((a) => [a.from, a.to, a.label]),
    [
      ['in', 'ab', ''],
      ['ab', 'mail', 'a · 30%'],
      ['ab', 'vip', 'b · 70%'],
      ['mail', 'vip', 'Sent'],
      ['mail', 'out', 'Unreachable'],
      ['vip', 'out', 'Yes'],
      ['vip', 'out', 'No'],
    ],
  );
  // Without a registry the branch names stand in.
  assert.deepEqual(
    toArrows(journey, null).map((a) => a.label),
    ['', 'a · 30%', 'b · 70%', 'next', 'unreachable', 'yes', 'no'],
  );
  assert.equal(new Set(toArrows(journey, null).map((a) => a.id)).size, 7, 'two edges between the same nodes keep distinct ids');
});

test('cards: titles from the registry or the kind, a readable summary, and the kind’s counters', () => {
  const counts = [
    { nodeId: 'mail', entered: 30, sent: 27, failed: 0, skipped: 3, opened: 12, clicked: 0, missed: 0, goal: 2 },
    { nodeId: 'vip', entered: 97, sent: 0, failed: 0, skipped: 0, missed: 0, goal: 0 },
  ];
  const cards = toCards(journey, registry, counts);
  assert.deepEqual(
    cards.map((c) => [c.id, c.title, c.tone, c.summary]),
    [
      ['in', 'Entry', 'entry', 'Does Signed Up'],
      ['ab', 'A/B split', 'branch', 'a 30% / b 70%'],
      ['mail', 'Send message · Email', 'message', 'Hello friend'],
      ['vip', 'Split', 'branch', 'plan is pro or business, and 1 more'],
      ['out', 'Exit', 'exit', 'Leave the journey'],
    ],
  );
  assert.deepEqual(cards.find((c) => c.id === 'mail')!.stats, [
    { label: 'entered', value: 30 },
    { label: 'sent', value: 27 },
    { label: 'skipped', value: 3 },
    { label: 'opened', value: 12 },
    { label: 'converted here', value: 2 },
  ]);
  assert.deepEqual(cards.find((c) => c.id === 'vip')!.stats, [{ label: 'entered', value: 97 }]);
  assert.deepEqual(cards.find((c) => c.id === 'in')!.stats, [], 'the entry has no counters');
  assert.deepEqual(cards.find((c) => c.id === 'out')!.stats, [{ label: 'entered', value: 0 }], 'no stats yet reads as zero');
  assert.deepEqual(
    toCards(journey, null).map((c) => c.title),
    ['entry', 'abSplit', 'send · email', 'split', 'exit'],
  );
});

test('summaries of the example journeys say what each node does', () => {
  const cart = example('abandoned-cart') as unknown as DefinitionLike;
  assert.deepEqual(
    cart.nodes.map(summarize),
    [
      'Does Added to Cart, no Charged within 2 minutes',
      'Still thinking it over?',
      'Wait 2 hours',
      'Hi, take 10% off your cart with code CART10. Reply STOP to opt out.',
      'Wait 2 hours',
      'Your cart is about to expire',
      'Leave the journey',
    ],
  );
  assert.equal(firstLine('{% if Profile.vip %}Dear {{ Profile.name }}{% endif %}, <b>hi</b>'), 'Dear {name}, hi');
  assert.equal(firstLine(`${'word '.repeat(30)}`), `${'word '.repeat(16).trim()}…`);
  assert.equal(summarize({ id: 'w', kind: 'wait', event: 'Charged', timeout: '1d' }), 'Wait up to 1 day for Charged');
  assert.equal(summarize({ id: 'd', kind: 'delay', untilTime: '09:00', days: ['mon', 'fri'] }), 'Wait until 09:00 on mon, fri');
  assert.equal(summarize({ id: 'u', kind: 'updateProfile', set: { vip: true, tier: 'gold' } }), 'Set vip, tier');
});

test('a registry of the wrong shape is ignored, not trusted', () => {
  assert.equal(asRegistry(null), null);
  assert.equal(asRegistry({ nodes: 'x' }), null);
  assert.equal(asRegistry({ nodes: [{ kind: 'send' }] }), null, 'a node without label or branches');
  assert.deepEqual(asRegistry({ nodes: [], channels: [{ name: 'sms', label: 'SMS' }, { name: 3 }] }), { nodes: [], channels: [{ name: 'sms', label: 'SMS' }] });
});

test('the auto-layout lays a linear journey out top to bottom; a saved layout that places every node wins', async () => {
  const cart = example('abandoned-cart') as unknown as DefinitionLike;
  const auto = await layoutOf(cart, undefined);
  const ys = cart.nodes.map((n) => auto[n.id]!.y);
  assert.deepEqual(
    ys.map((y, i) => (i === 0 ? 0 : y - ys[i - 1]!)),
    [0, 192, 192, 192, 192, 192, 192],
    'one card height (120) and the layer spacing (72) apart',
  );
  assert.equal(new Set(cart.nodes.map((n) => auto[n.id]!.x)).size, 1, 'one column');
  const saved = Object.fromEntries(cart.nodes.map((n, i) => [n.id, { x: i * 10, y: 5 }]));
  assert.equal(await layoutOf(cart, saved), saved);
  const partial = { ...saved, done: undefined } as unknown as typeof saved;
  assert.notEqual(await layoutOf(cart, partial), partial, 'a layout missing a node is laid out afresh');
});

test('the first view shows the whole journey when it fits legibly, else its top', () => {
  const card = { width: 280, height: 120 };
  // Fits: 280 x 312 in 1000 x 600 at zoom 1, centred both ways.
  assert.deepEqual(initialViewport([{ x: 0, y: 0 }, { x: 0, y: 192 }], card, { width: 1000, height: 600 }), { x: 360, y: 144, zoom: 1 });
  // Too tall: 1464 high in a 600 frame would need zoom 0.355; the floor is 0.75, and the top shows.
  const tall = Array.from({ length: 8 }, (_, i) => ({ x: 12, y: 12 + i * 192 }));
  assert.deepEqual(initialViewport(tall, card, { width: 1000, height: 600 }), { x: 386, y: 31, zoom: 0.75 });
  assert.deepEqual(initialViewport([], card, { width: 1000, height: 600 }), { x: 40, y: 40, zoom: 1 });
});
