/**
 * The publish checks at their edges (docs/journeys.md, "Publishing"): a goal that is the entry event with its
 * filters in another order, the aliases and removals the trait check knows, references it cannot judge, the
 * likely name of a misspelt template root, a wait's goals, and an entry window ending at the very moment of
 * publishing. Each finding's text is the one a marketer reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { publishChecks, type PublishCheckContext } from '../../src/core/publish-checks.ts';
import { compileJourney } from '../../src/core/validate.ts';
import { path } from '../journeys.ts';

const NOTHING = { errors: [], warnings: [] };

function checks(definition: unknown, context: PublishCheckContext = {}) {
  const compiled = compileJourney(definition);
  assert.ok(compiled.ok, `the fixture must validate: ${JSON.stringify(!compiled.ok && compiled.problems)}`);
  return publishChecks(compiled.journey, context);
}

/** Signed Up (with `where`) -> an email with this body -> exit. */
const mail = (body: string, more: Record<string, unknown> = {}, where?: unknown[]) =>
  path('p', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up', ...(where ? { where } : {}) } as never },
    { id: 'mail', kind: 'send', channel: 'email', message: { subject: 'Hello', body } },
    { id: 'out', kind: 'exit' },
  ], more as never);

const PRO = { property: 'plan', op: '=', value: 'pro' };
const EU = { property: 'region', op: 'in', value: ['eu'] };

test('a goal that is the entry event with the same filters, in any order, is an error saying so', () => {
  const found = checks(mail('Hi', { goals: [{ id: 'again', event: 'Signed Up', where: [EU, PRO] }] }, [PRO, EU]));
  assert.deepEqual(found, {
    errors: [{
      path: '/goals/0/event',
      message: 'goal "again" is the entry event "Signed Up" with the same filters: every user has done it just to enter, so the goal measures nothing (doing it again counts as converting); make the goal the event that means success',
    }],
    warnings: [],
  });
  assert.deepEqual(checks(mail('Hi', { goals: [{ id: 'again', event: 'Signed Up', where: [PRO] }] }, [PRO, EU])), NOTHING, 'a goal with fewer filters measures something');
});

test('known traits: a trait the journey only removes (null) is still unknown; Profile.Email reads the "email" trait', () => {
  const definition = path('t', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'forget', kind: 'updateProfile', set: { coupon: null, tier: 'gold' } },
    { id: 'mail', kind: 'send', channel: 'email', message: { subject: 'Hi {{ Profile.Email }}', body: '{{ Profile.coupon }} {{ Profile.tier }}' } },
    { id: 'out', kind: 'exit' },
  ]);
  assert.deepEqual(checks(definition, { knownTraits: new Set(['email']) }), {
    errors: [],
    warnings: [{ path: '/nodes/2/message/body', message: 'Profile.coupon at line 1, column 4: no profile has a "coupon" trait, so it is blank for every user' }],
  });
});

test('known traits: a template with no Profile name, and a dynamic Profile[...] reference, have nothing to report', () => {
  const known = { knownTraits: new Set(['email']) };
  assert.deepEqual(checks(mail('{{ Event.total }} {{ EventName }}'), known), NOTHING);
  assert.deepEqual(checks(mail('{{ Profile[Event.key] }} {{ Profile[0] }}'), known), NOTHING);
});

test('a misspelt template root: the likely name when it differs only by case, or by at most two letters', () => {
  const warning = (body: string) => checks(mail(body)).warnings.map((w) => w.message);
  // EVENTNAME is seven letters off EventName, but only by case.
  assert.deepEqual(warning('{{ EVENTNAME }}'), ['EVENTNAME at line 1, column 4: a template can read only Profile, Event and EventName, so "EVENTNAME" is blank for every user (did you mean EventName?)']);
  // Two letters more than Profile.
  assert.deepEqual(warning('{{ Profileee.name }}'), ['Profileee.name at line 1, column 4: a template can read only Profile, Event and EventName, so "Profileee" is blank for every user (did you mean Profile?)']);
  // Three letters more: no guess.
  assert.deepEqual(warning('{{ Profileeee.name }}'), ['Profileeee.name at line 1, column 4: a template can read only Profile, Event and EventName, so "Profileeee" is blank for every user']);
});

test('an entry window ending at the very moment of publishing has passed: endAt is excluded', () => {
  const definition = mail('Hi', { setup: { endAt: '2026-01-01T00:00:00Z' } });
  assert.deepEqual(checks(definition, { now: Date.UTC(2026, 0, 1) }), {
    errors: [],
    warnings: [{ path: '/setup/endAt', message: 'endAt (2026-01-01T00:00:00Z) has already passed: nobody can enter this version' }],
  });
  assert.deepEqual(checks(definition, { now: Date.UTC(2026, 0, 1) - 1 }), NOTHING);
});

/** Signed Up -> a wait for Charged (with `where`) -> exit on both branches, with these goals. */
const waiting = (goals: JourneyDefinition['goals'], where?: unknown[]) => ({
  name: 'w',
  goals,
  nodes: [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
    { id: 'paid', kind: 'wait', event: 'Charged', timeout: '2d', ...(where ? { where } : {}) },
    { id: 'out', kind: 'exit' },
  ],
  edges: [{ from: 'in', to: 'paid' }, { from: 'paid', to: 'out', branch: 'yes' }, { from: 'paid', to: 'out', branch: 'timeout' }],
});

test("a wait's goals: one on another event never pre-empts it; a count-only goal that may take the event first leaves yes reachable", () => {
  assert.deepEqual(checks(waiting([{ id: 'other', event: 'Refunded' }])), NOTHING);
  const big = [{ property: 'amount', op: '>=' as const, value: 100 }];
  // The count-only goal takes only big charges (its filter is not among the wait's): for a small one the
  // exiting goal after it is the first to match, but for a big one the count-only goal comes first and the
  // user goes on to "yes". So "yes" is reachable: nothing to say.
  assert.deepEqual(checks(waiting([{ id: 'counted', event: 'Charged', where: big, exitOnGoal: false }, { id: 'bought', event: 'Charged' }])), NOTHING);
});
