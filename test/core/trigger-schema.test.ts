/**
 * The entry triggers' schema (src/core/trigger-schema.ts), through the journey document: each kind refuses a
 * field it does not name, and each limit is refused one over, at the path of the field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJourney } from '../../src/core/validate.ts';
import { example } from '../helpers.ts';

/** The problems of the abandoned-cart example with its entry trigger replaced; [] when valid. */
function problemsWith(trigger: Record<string, unknown>): Array<{ path: string; message: string }> {
  const doc = structuredClone(example('abandoned-cart')) as unknown as { nodes: Array<Record<string, unknown>> };
  doc.nodes[0]!.trigger = trigger;
  const result = compileJourney(doc);
  return result.ok ? [] : result.problems;
}

function refused(trigger: Record<string, unknown>, path: string, message: RegExp): void {
  const problems = problemsWith(trigger);
  assert.ok(problems.some((p) => p.path === `/nodes/0/trigger${path}` && message.test(p.message)), `expected ${path} ${message} in ${JSON.stringify(problems)}`);
}

const action = { type: 'action', event: 'Added to Cart' };
const inaction = { type: 'inaction', event: 'Added to Cart', notEvent: 'Charged', within: '2h' };
const segment = { type: 'segment', segment: { type: 'profile', where: [{ property: 'vip', op: '=', value: true }] }, schedule: { type: 'recurring', time: '09:00' } };
const date = { type: 'date', property: 'renewal_date', before: '3d' };
const journey = { type: 'journey', journeyId: 'welcome', nodeId: 'sent-coupon' };

test('every kind as written is valid', () => {
  for (const trigger of [action, inaction, segment, date]) assert.deepEqual(problemsWith(trigger), [], JSON.stringify(trigger));
  // A journey trigger is checked against the other journey when published, not here.
  assert.deepEqual(problemsWith(journey), []);
});

test('each kind refuses a field it does not name', () => {
  refused({ ...action, within: '1h' }, '/within', /unknown field within/);
  refused({ ...inaction, notWithin: '1h' }, '/notWithin', /unknown field/);
  refused({ ...segment, every: '1d' }, '/every', /unknown field/);
  refused({ ...segment, schedule: { type: 'recurring', time: '09:00', zone: 'UTC' } }, '/schedule/zone', /unknown field/);
  refused({ ...segment, schedule: { type: 'dates', at: ['2026-12-24T09:00:00Z'], repeat: true } }, '/schedule/repeat', /unknown field/);
  refused({ ...date, yearly: true }, '/yearly', /unknown field/);
  refused({ ...journey, version: 2 }, '/version', /unknown field/);
});

test('limits: scheduled dates 1 to 366, a date property 1 to 200 characters, a journey id 1 to 64, a node id as ids are', () => {
  const day = (i: number) => new Date(Date.UTC(2027, 0, 1 + i, 9)).toISOString();
  assert.deepEqual(problemsWith({ ...segment, schedule: { type: 'dates', at: Array.from({ length: 366 }, (_, i) => day(i)) } }), []);
  refused({ ...segment, schedule: { type: 'dates', at: Array.from({ length: 367 }, (_, i) => day(i)) } }, '/schedule/at', /more than 366/);
  refused({ ...segment, schedule: { type: 'dates', at: [] } }, '/schedule/at', /fewer than 1/);
  refused({ ...date, property: '' }, '/property', /fewer than 1/);
  refused({ ...date, property: 'p'.repeat(201) }, '/property', /more than 200/);
  refused({ ...journey, journeyId: '' }, '/journeyId', /fewer than 1/);
  refused({ ...journey, journeyId: 'j'.repeat(65) }, '/journeyId', /more than 64/);
  refused({ ...journey, nodeId: 'sent coupon' }, '/nodeId', /must match pattern/);
});
