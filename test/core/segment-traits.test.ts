import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileCondition, type Condition, type UserEvent } from '../../src/core/segment.ts';
import { compileTraitsDecide } from '../../src/core/segment-traits.ts';

const NOW = Date.parse('2026-11-10T12:00:00Z');
const DAY = 86_400_000;
const pro: Condition = { type: 'profile', where: [{ property: 'plan', op: '=', value: 'pro' }] };
const vip: Condition = { type: 'profile', where: [{ property: 'vip', op: '=', value: true }] };
const viewed: Condition = { type: 'event', event: 'Viewed Product', within: { last: '7d' } };
const charged: Condition = { type: 'event', event: 'Charged', count: { op: '>=', value: 2 } };

const decide = (c: Condition, traits: Record<string, unknown>) => compileTraitsDecide(c)(traits);

test('traits alone: a profile leaf decides, an event leaf never does, and groups follow three-valued logic', () => {
  assert.equal(decide(pro, { plan: 'pro' }), true);
  assert.equal(decide(pro, { plan: 'free' }), false);
  assert.equal(decide(viewed, { plan: 'pro' }), undefined);
  assert.equal(decide({ type: 'message', node: 'push', outcome: 'sent' }, {}), undefined);

  const proAndViewed: Condition = { type: 'all', of: [pro, viewed] };
  assert.equal(decide(proAndViewed, { plan: 'free' }), false, 'all: one false part is enough');
  assert.equal(decide(proAndViewed, { plan: 'pro' }), undefined, 'all: true and unknown is unknown');
  assert.equal(decide({ type: 'all', of: [pro, vip] }, { plan: 'pro', vip: true }), true);

  const proOrViewed: Condition = { type: 'any', of: [pro, viewed] };
  assert.equal(decide(proOrViewed, { plan: 'pro' }), true, 'any: one true part is enough');
  assert.equal(decide(proOrViewed, { plan: 'free' }), undefined, 'any: false and unknown is unknown');
  assert.equal(decide({ type: 'any', of: [pro, vip] }, { plan: 'free' }), false);

  assert.equal(decide({ type: 'not', of: pro }, { plan: 'pro' }), false);
  assert.equal(decide({ type: 'not', of: proAndViewed }, { plan: 'free' }), true, 'not flips a decided part');
  assert.equal(decide({ type: 'not', of: proAndViewed }, { plan: 'pro' }), undefined, 'and leaves an unknown one unknown');
});

test('traits alone: a decided answer is the answer for any events the user may have', () => {
  // Every condition of up to two levels over these leaves, every combination of traits, and event sets from
  // none to plenty: where the traits decide, the full evaluation agrees with them for each event set.
  const leaves: Condition[] = [pro, vip, viewed, charged];
  const groups: Condition[] = [...leaves];
  for (const a of leaves) {
    groups.push({ type: 'not', of: a });
    for (const b of leaves) {
      groups.push({ type: 'all', of: [a, b] }, { type: 'any', of: [a, b] });
    }
  }
  const conditions: Condition[] = [...groups];
  for (const a of groups) for (const b of [pro, viewed]) conditions.push({ type: 'all', of: [a, { type: 'not', of: b }] }, { type: 'any', of: [{ type: 'not', of: a }, b] });
  const traitSets = [{}, { plan: 'pro' }, { vip: true }, { plan: 'pro', vip: true }, { plan: 'free', vip: false }];
  const eventSets: UserEvent[][] = [
    [],
    [{ name: 'Viewed Product', timestamp: NOW - DAY, properties: {} }],
    [{ name: 'Charged', timestamp: NOW - 40 * DAY, properties: {} }, { name: 'Charged', timestamp: NOW - DAY, properties: {} }],
    [{ name: 'Viewed Product', timestamp: NOW - 2 * DAY, properties: {} }, { name: 'Charged', timestamp: NOW - 3 * DAY, properties: {} }, { name: 'Charged', timestamp: NOW - 4 * DAY, properties: {} }],
  ];
  let decided = 0;
  let undecided = 0;
  for (const condition of conditions) {
    const holds = compileCondition(condition);
    const traitsDecide = compileTraitsDecide(condition);
    for (const traits of traitSets) {
      const answer = traitsDecide(traits);
      const answers = new Set(eventSets.map((events) => holds({ now: NOW, traits, events })));
      if (answer === undefined) {
        undecided++;
        continue;
      }
      decided++;
      assert.deepEqual([...answers], [answer], JSON.stringify({ condition, traits }));
    }
  }
  assert.ok(decided > 200 && undecided > 200, `both kinds of answer are exercised (${decided} decided, ${undecided} not)`);
});
