/** Entry triggers with property filters, and an inaction correlated to its entry event. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shouldStart } from '../../src/core/interpreter.ts';
import { compileJourney } from '../../src/core/validate.ts';
import { compile, drive, ev } from './drive.ts';
import { path } from '../journeys.ts';

const MIN = 60_000;
const T = Date.UTC(2026, 5, 10, 12);

const journey = (trigger: unknown) =>
  compile(
    path('t', [
      { id: 'in', kind: 'entry', trigger: trigger as never },
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      { id: 'out', kind: 'exit' },
    ]),
  );

test('action trigger with where: only matching events start the journey', () => {
  const j = journey({ type: 'action', event: 'Added to Cart', where: [{ property: 'price', op: '>=', value: 50 }] });
  const fresh = { live: false, everEntered: false };
  assert.equal(shouldStart(j, ev('Added to Cart', T, { price: 80 }), fresh), true);
  assert.equal(shouldStart(j, ev('Added to Cart', T, { price: 20 }), fresh), false);
  assert.equal(shouldStart(j, ev('Added to Cart', T, {}), fresh), false);
});

test('inaction correlated to its entry event: only a Charged for the same cart, matching notWhere, breaks it', () => {
  const j = journey({
    type: 'inaction',
    event: 'Added to Cart',
    notEvent: 'Charged',
    notWhere: [{ property: 'status', op: '=', value: 'paid' }],
    sameAs: ['cartId'],
    within: '2m',
  });
  const cart = ev('Added to Cart', T, { cartId: 'c1' });
  const sentWith = (charged: Record<string, unknown>) => drive(j, cart, [ev('Charged', T + MIN, charged)], T + 10 * MIN).sent;
  assert.deepEqual(sentWith({ cartId: 'c1', status: 'paid' }), [], 'the same cart, paid: never entered');
  assert.deepEqual(sentWith({ cartId: 'c2', status: 'paid' }), [[2 * MIN, 'push']], 'another cart');
  assert.deepEqual(sentWith({ cartId: 'c1', status: 'failed' }), [[2 * MIN, 'push']], 'not paid');
});

test('trigger filters are checked with their paths', () => {
  const result = compileJourney({
    ...journey({ type: 'action', event: 'x' }).definition,
    nodes: [
      { id: 'in', kind: 'entry', trigger: { type: 'inaction', event: 'a', where: [{ property: 'p', op: 'in', value: [] }], notEvent: 'b', notWhere: [{ property: 'q', op: '<', value: true }], within: '1m' } },
      { id: 'push', kind: 'send', channel: 'push', message: { title: 't', body: 'b' } },
      { id: 'out', kind: 'exit' },
    ],
  });
  assert.deepEqual(result.ok ? [] : result.problems.map((p) => p.path), ['/nodes/0/trigger/where/0/value', '/nodes/0/trigger/notWhere/0/value']);
});
