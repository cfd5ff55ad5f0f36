import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { subjectOf } from '../../web/src/lib/check-subject.ts';
import { diffDefinitions, excerpts, lineText, type DiffDefinition } from '../../web/src/lib/diff.ts';
import { ROOT } from '../helpers.ts';

const cart = (): DiffDefinition => JSON.parse(readFileSync(join(ROOT, 'examples', 'abandoned-cart.json'), 'utf8'));
const texts = (before: DiffDefinition, after: DiffDefinition) => diffDefinitions(before, after).map(lineText);

/** The same value with every object's keys, and every list, in reverse order. */
function shuffled<T>(value: T): T {
  if (Array.isArray(value)) return value.map(shuffled).reverse() as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, shuffled(v)])) as T;
  return value;
}

test('the order of keys, nodes, edges and filters is no change', () => {
  const before = cart();
  const after = shuffled(cart());
  assert.notEqual(JSON.stringify(before), JSON.stringify(after), 'the copy really is in another order');
  assert.deepEqual(diffDefinitions(before, after), []);
  const filtered = (where: unknown[]) => ({ name: 'F', nodes: [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'E', where } }], edges: [] });
  const a = { property: 'plan', op: '=', value: 'pro' };
  const b = { property: 'age', op: '>=', value: 18 };
  assert.deepEqual(diffDefinitions(filtered([a, b]), filtered([b, a])), []);
});

test('fields changed in place: the setup, a goal, a message and a delay, old → new', () => {
  const before = cart();
  const after = cart();
  after.setup = { ...after.setup, timeout: '2d' };
  after.goals = [{ id: 'purchase', event: 'Charged', exitOnGoal: true, within: '1d' }];
  const sms = after.nodes.find((n) => n.id === 'sms-10-off')!;
  sms.message = { body: (sms.message as { body: string }).body.replace('CART10', 'CART15') };
  after.nodes.find((n) => n.id === 'wait-2h-before-email')!.duration = '3h';

  const lines = diffDefinitions(before, after);
  assert.deepEqual(lines.map(lineText), [
    'Changed the setup: timeout 1 day → 2 days',
    'Changed goal “purchase”: within not set → 1 day',
    // The body is long: only the words around the change, from the word the 20 characters before it start in.
    'Changed SMS message “sms-10-off”: body “…"cart" }} with code CART10. Reply STOP to opt out.” → “…"cart" }} with code CART15. Reply STOP to opt out.”',
    'Changed delay “wait-2h-before-email”: duration 2 hours → 3 hours',
  ]);
  assert.deepEqual(
    lines.map((l) => [l.section, l.change, l.subject]),
    [
      ['setup', 'changed', null],
      ['goals', 'changed', 'purchase'],
      ['nodes', 'changed', 'sms-10-off'],
      ['nodes', 'changed', 'wait-2h-before-email'],
    ],
  );
  assert.deepEqual(lines[3]!.fields, [{ field: 'duration', before: '2 hours', after: '3 hours' }]);
});

test('nodes added and removed by id, and the paths rewired around them', () => {
  const before = cart();
  const after = cart();
  after.nodes = after.nodes.filter((n) => n.id !== 'wait-2h-before-sms');
  after.nodes.splice(after.nodes.length - 1, 0, { id: 'tag-abandoner', kind: 'updateProfile', set: { abandoned: true } });
  after.edges = [
    { from: 'cart-abandoned', to: 'push-free-shipping' },
    { from: 'push-free-shipping', to: 'sms-10-off' },
    { from: 'sms-10-off', to: 'wait-2h-before-email' },
    { from: 'wait-2h-before-email', to: 'email-final-reminder' },
    { from: 'email-final-reminder', to: 'tag-abandoner' },
    { from: 'tag-abandoner', to: 'done' },
  ];
  assert.deepEqual(texts(before, after), [
    'Removed delay “wait-2h-before-sms”',
    'Added profile update “tag-abandoner”',
    // The removed delay's own way out is not listed: its removal says it.
    '“push-free-shipping” now leads to “sms-10-off” instead of “wait-2h-before-sms”',
    '“email-final-reminder” now leads to “tag-abandoner” instead of “done”',
    'New path: “tag-abandoner” → “done”',
  ]);
  // And back: the added node's removal, the paths the other way, and the delay's way out is new again.
  assert.deepEqual(texts(after, before), [
    'Removed profile update “tag-abandoner”',
    'Added delay “wait-2h-before-sms”',
    '“push-free-shipping” now leads to “wait-2h-before-sms” instead of “sms-10-off”',
    'New path: “wait-2h-before-sms” → “sms-10-off”',
    '“email-final-reminder” now leads to “done” instead of “tag-abandoner”',
  ]);
});

const win = (): DiffDefinition => ({
  name: 'Win',
  description: 'Old',
  setup: { reentry: 'never', timezone: 'UTC' },
  goals: [
    { id: 'bought', event: 'Purchased' },
    { id: 'opened', event: 'Opened', exitOnGoal: false },
  ],
  nodes: [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up', where: [{ property: 'plan', op: '=', value: 'pro' }] } },
    { id: 'w', kind: 'wait', event: 'Opened', timeout: '2d' },
    { id: 'ab', kind: 'abSplit', variants: [{ name: 'A', percent: 50 }, { name: 'B', percent: 50 }] },
    { id: 'ping', kind: 'send', channel: 'push', message: { title: 'Hi', body: 'Welcome back' } },
    { id: 'u', kind: 'updateProfile', set: { tier: 'gold' } },
    { id: 'out', kind: 'exit' },
  ],
  edges: [
    { from: 'in', to: 'w' },
    { from: 'w', to: 'ab', branch: 'yes' },
    { from: 'w', to: 'out', branch: 'timeout' },
    { from: 'ab', to: 'ping', branch: 'A' },
    { from: 'ab', to: 'u', branch: 'B' },
    { from: 'ping', to: 'out' },
    { from: 'u', to: 'out' },
  ],
});

test('the name, the trigger, setup fields, goal order, variants by name, a new channel, traits, a branch', () => {
  const before = win();
  const after: DiffDefinition = {
    name: 'Win back',
    description: 'Old',
    setup: { timezone: 'UTC', reentry: 'afterExit', reentryCooldown: '7d' },
    goals: [
      { id: 'opened', exitOnGoal: false, event: 'Opened' },
      { id: 'bought', event: 'Purchased', within: '30d' },
    ],
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up', where: [{ property: 'plan', op: 'in', value: ['pro', 'business'] }] } },
      { id: 'w', kind: 'wait', event: 'Opened', timeout: '3d' },
      { id: 'ab', kind: 'abSplit', variants: [{ name: 'B', percent: 60 }, { name: 'A', percent: 40 }] },
      { id: 'ping', kind: 'send', channel: 'sms', message: { body: 'Welcome back' } },
      { id: 'u', kind: 'updateProfile', set: { tier: null, vip: true } },
      { id: 'out', kind: 'exit' },
    ],
    edges: [...before.edges.filter((e) => e.branch !== 'timeout'), { from: 'w', to: 'u', branch: 'timeout' }],
  };
  assert.deepEqual(texts(before, after), [
    'Renamed the journey: “Win” → “Win back”',
    'Changed the trigger: filters plan is “pro” → plan is one of “pro”, “business”',
    'Changed the setup: re-entry “never” → “afterExit”; re-entry cooldown not set → 7 days',
    'Changed goal “bought”: within not set → 30 days',
    'Reordered the goals (the first that matches counts): order “bought”, “opened” → “opened”, “bought”',
    'Changed wait for an event “w”: timeout 2 days → 3 days',
    'Changed A/B split “ab”: variant “A” percent 50% → 40%; variant “B” percent 50% → 60%',
    'Changed “ping” from push message to SMS message: title “Hi” → not set',
    'Changed profile update “u”: sets tier “gold” → empty; sets vip not set → yes',
    '“w” (timeout) now leads to “u” instead of “out”',
  ]);
});

test('goals added and removed, a description, quiet hours set, a node that became another kind', () => {
  const before = win();
  const after = win();
  after.description = 'New';
  after.goals = [{ id: 'opened', event: 'Opened', exitOnGoal: false }, { id: 'renewed', event: 'Renewed' }];
  after.setup = { reentry: 'never', timezone: 'UTC', dnd: { start: '21:00', end: '08:00' } };
  after.nodes[4] = { id: 'u', kind: 'delay', duration: '1h' };
  after.edges.push({ from: 'ab', to: 'out', branch: 'B' });
  assert.deepEqual(texts(before, after), [
    'Changed the description: “Old” → “New”',
    'Changed the setup: quiet hours not set → end “08:00”, start “21:00”',
    'Removed goal “bought”',
    'Added goal “renewed”',
    'Changed “u” from profile update to delay: duration not set → 1 hour; sets tier “gold” → not set',
    // Two ways out on one branch: the new one is listed on its own.
    'New path: “ab” (B) → “out”',
  ]);
});

test('a long text shows the words around what changed; short texts show whole', () => {
  assert.deepEqual(excerpts('Hi there', 'Hello there'), ['Hi there', 'Hello there']);
  const before = 'Dear customer, your order has shipped and will arrive on Monday. Track it in the app any time you like.';
  const after = 'Dear customer, your order has shipped and will arrive on Tuesday. Track it in the app any time you like.';
  // The change is "Mon" → "Tues"; 20 characters before it reach into "shipped", 20 after it end after "the".
  assert.deepEqual(excerpts(before, after), ['…shipped and will arrive on Monday. Track it in the…', '…shipped and will arrive on Tuesday. Track it in the…']);
  // A change at the very start keeps no "…" in front.
  const start = excerpts(`A${before}`, `B${before}`);
  // 20 characters after the change end inside "order": the whole word is kept.
  assert.deepEqual(start, ['ADear customer, your order…', 'BDear customer, your order…']);
});

test('a check’s path names its node, goal, path or the setup in words', () => {
  const definition = win();
  assert.deepEqual(subjectOf(definition, '/definition/nodes/3/message/body'), { nodeId: 'ping', text: 'push message “ping”', field: 'message/body' });
  assert.deepEqual(subjectOf(definition, '/definition/nodes/1'), { nodeId: 'w', text: 'wait for an event “w”', field: '' });
  assert.deepEqual(subjectOf(definition, '/definition/goals/1/event'), { nodeId: null, text: 'goal “opened”', field: 'event' });
  assert.deepEqual(subjectOf(definition, '/definition/edges/2'), { nodeId: null, text: 'the path “w” → “out”', field: '' });
  assert.deepEqual(subjectOf(definition, '/definition/setup/endAt'), { nodeId: null, text: 'the setup', field: 'endAt' });
  assert.deepEqual(subjectOf(definition, '/nodes/0/trigger/journeyId'), { nodeId: 'in', text: 'entry “in”', field: 'trigger/journeyId' });
  assert.deepEqual(subjectOf(definition, '/definition/nodes/99/kind'), { nodeId: null, text: 'the journey', field: 'nodes/99/kind' });
  assert.deepEqual(subjectOf(null, '/definition/name'), { nodeId: null, text: 'the journey', field: 'name' });
});
