/**
 * What the canvas shows of each node kind (its palette entry, form field order, branch handles and labels, the
 * counters on its card), written out here by hand: the words a marketer reads are product behaviour, and a
 * change to any of them must be a change to this table too. The API serves the same (test/api/meta-nodes.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NODE_SPECS } from '../../src/core/nodes/index.ts';

const META = {
  entry: {
    label: 'Entry', category: 'entry', description: 'Who comes in, and when: a live event, an inaction, a scheduled segment, a date, or another journey',
    fields: ['trigger'], branches: [{ name: 'next', label: 'Entered' }], counters: [],
  },
  send: {
    label: 'Send message', category: 'message', description: 'Send a push, SMS, WhatsApp, email, in-app inbox message or webhook, personalized with Liquid',
    fields: ['channel', 'message'], branches: [{ name: 'next', label: 'Sent' }, { name: 'unreachable', label: 'Unreachable', optional: true }],
    counters: ['entered', 'sent', 'failed', 'skipped', 'opened', 'clicked', 'goal'],
  },
  delay: {
    label: 'Delay', category: 'timing', description: 'Wait a while, until a local time, or until a date on the profile',
    fields: ['duration', 'untilTime', 'days', 'untilDate', 'timezone'], branches: [{ name: 'next', label: 'Then' }, { name: 'missed', label: 'Missed', optional: true }],
    counters: ['entered', 'missed', 'goal'],
  },
  wait: {
    label: 'Wait for event', category: 'timing', description: 'Wait until the user does an event, or give up after a timeout',
    fields: ['event', 'where', 'sameAs', 'timeout'], branches: [{ name: 'yes', label: 'Yes' }, { name: 'timeout', label: 'Timeout' }], counters: ['entered', 'goal'],
  },
  split: {
    label: 'Split', category: 'branching', description: 'Yes or no on the user as they are now: traits, event history, earlier messages',
    fields: ['where', 'condition'], branches: [{ name: 'yes', label: 'Yes' }, { name: 'no', label: 'No' }], counters: ['entered', 'goal'],
  },
  abSplit: {
    label: 'A/B split', category: 'branching', description: 'Send each user down one variant by percentage, the same one every time',
    fields: ['variants'], branches: [], branchesFrom: 'variants', counters: ['entered', 'goal'],
  },
  updateProfile: {
    label: 'Update profile', category: 'profile', description: "Write traits to the user's profile (null removes one)",
    fields: ['set'], branches: [{ name: 'next', label: 'Next' }], counters: ['entered', 'goal'],
  },
  exit: { label: 'Exit', category: 'exit', description: 'The user completes the journey here', fields: [], branches: [], counters: ['entered'] },
};

test('every node kind shows the canvas the label, category, description, fields, branches and counters written here', () => {
  assert.deepEqual(Object.keys(NODE_SPECS), Object.keys(META), 'the palette order');
  for (const [kind, expected] of Object.entries(META)) {
    assert.deepEqual(NODE_SPECS[kind as keyof typeof NODE_SPECS].meta, expected, kind);
  }
});

test('the branches each kind must and may have, as its card draws its handles', () => {
  const fixed = (kind: keyof typeof NODE_SPECS, node: object) => (NODE_SPECS[kind].branches as (n: object) => string[])(node);
  assert.deepEqual(fixed('entry', {}), ['next']);
  assert.deepEqual(fixed('send', {}), ['next']);
  assert.deepEqual(fixed('delay', { duration: '1h' }), ['next']);
  assert.deepEqual(fixed('wait', {}), ['yes', 'timeout']);
  assert.deepEqual(fixed('split', {}), ['yes', 'no']);
  assert.deepEqual(fixed('abSplit', { variants: [{ name: 'a', percent: 50 }, { name: 'b', percent: 50 }] }), ['a', 'b']);
  assert.deepEqual(fixed('updateProfile', {}), ['next']);
  assert.deepEqual(fixed('exit', {}), []);
  const optional = (kind: keyof typeof NODE_SPECS, node: object) => (NODE_SPECS[kind] as { optionalBranches?: (n: object) => string[] }).optionalBranches?.(node) ?? [];
  assert.deepEqual(optional('send', {}), ['unreachable']);
  assert.deepEqual(optional('delay', { untilDate: { trait: 'birthday' } }), ['missed'], 'a date delay may miss its date');
  assert.deepEqual(optional('delay', { duration: '1h' }), [], 'a fixed delay cannot');
  assert.deepEqual(optional('wait', {}), []);
  const letsTimePass = Object.fromEntries(Object.entries(NODE_SPECS).map(([kind, spec]) => [kind, (spec as { letsTimePass?: boolean }).letsTimePass === true]));
  assert.deepEqual(letsTimePass, { entry: false, send: false, delay: true, wait: true, split: false, abSplit: false, updateProfile: false, exit: false });
});
