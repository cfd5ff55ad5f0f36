import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { publishChecks, type PublishCheckContext } from '../../src/core/publish-checks.ts';
import { compileJourney } from '../../src/core/validate.ts';
import { example } from '../helpers.ts';

function checks(definition: JourneyDefinition, context: PublishCheckContext = {}) {
  const compiled = compileJourney(definition);
  assert.ok(compiled.ok, `the fixture must validate: ${JSON.stringify(!compiled.ok && compiled.problems)}`);
  return publishChecks(compiled.journey, context);
}

/** Entry (action "Signed Up") -> delay -> send (sms) -> exit, with the given parts replaced. */
function journey(parts: Partial<JourneyDefinition> & { delay?: Record<string, unknown>; sendEdges?: JourneyDefinition['edges']; extraNodes?: JourneyDefinition['nodes'] } = {}): JourneyDefinition {
  const { delay = { duration: '1h' }, sendEdges = [{ from: 'text', to: 'done' }], extraNodes = [], ...rest } = parts;
  return {
    name: 'Fixture',
    setup: { timezone: 'UTC' },
    goals: [{ id: 'bought', event: 'Charged' }],
    nodes: [
      { id: 'start', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'later', kind: 'delay', ...delay } as JourneyDefinition['nodes'][number],
      { id: 'text', kind: 'send', channel: 'sms', message: { body: 'Hello' } },
      { id: 'done', kind: 'exit' },
      ...extraNodes,
    ],
    edges: [{ from: 'start', to: 'later' }, { from: 'later', to: 'text' }, ...sendEdges],
    ...rest,
  };
}

const NOTHING = { errors: [], warnings: [] };

test('the shipped examples have nothing to report, known traits or not', () => {
  const traits = new Set(['name', 'email', 'phone', 'pushToken', 'plan', 'timezone']);
  for (const name of ['abandoned-cart', 'abandoned-cart-quiet-hours', 'onboarding', 'win-back']) {
    assert.deepEqual(checks(example(name)), NOTHING, name);
    assert.deepEqual(checks(example(name), { knownTraits: traits, now: Date.UTC(2026, 0, 1) }), NOTHING, name);
  }
});

test('error: a goal that is the entry event itself, with no filters or the same ones', () => {
  assert.deepEqual(checks(journey({ goals: [{ id: 'again', event: 'Signed Up' }] })), {
    errors: [
      {
        path: '/goals/0/event',
        message:
          'goal "again" is the entry event "Signed Up" with no filters: every user has done it just to enter, so the goal measures nothing (doing it again counts as converting); make the goal the event that means success',
      },
    ],
    warnings: [],
  });

  // An inaction trigger's event counts as the entry event too; its notEvent is the usual goal and is fine.
  const cart = example('abandoned-cart');
  cart.goals = [{ id: 'purchase', event: 'Charged' }, { id: 'carted', event: 'Added to Cart', exitOnGoal: false }];
  const found = checks(cart);
  assert.deepEqual(found.errors.map((p) => p.path), ['/goals/1/event']);
  assert.match(found.errors[0]!.message, /^goal "carted" is the entry event "Added to Cart" with no filters: /);

  // A goal that narrows the entry event down (a second, bigger purchase) measures something.
  const narrowed = journey({ goals: [{ id: 'big', event: 'Signed Up', where: [{ property: 'plan', op: '=', value: 'pro' }] }] });
  assert.deepEqual(checks(narrowed), NOTHING);
});

test('DND: a send right after a delay that always ends inside the window, deferred: a warning naming when it goes out', () => {
  const definition = journey({ delay: { untilTime: '22:00' }, setup: { timezone: 'UTC', dnd: { start: '21:00', end: '09:00' } } });
  assert.deepEqual(checks(definition), {
    errors: [],
    warnings: [
      {
        path: '/nodes/2',
        message:
          'send "text" is scheduled inside DND hours: it comes right after delay "later", which ends at 22:00, always inside the DND hours, so it will always be deferred to when the window ends (09:00)',
      },
    ],
  });
  // A time outside the window, or a window the delay's time misses on some days, is nothing to report.
  assert.deepEqual(checks(journey({ delay: { untilTime: '10:00' }, setup: { dnd: { start: '21:00', end: '09:00' } } })), NOTHING);
  assert.deepEqual(checks(journey({ delay: { untilTime: '10:00' }, setup: { dnd: { windows: [{ start: '00:00', end: '12:00', days: ['sat', 'sun'] }] } } })), NOTHING);
});

test('DND with "skip": never sent is an error, unless the send has an "unreachable" way out (then a warning)', () => {
  const setup = { timezone: 'UTC', dnd: { start: '21:00', end: '09:00', whenInDnd: 'skip' as const } };
  assert.deepEqual(checks(journey({ delay: { untilTime: '06:30' }, setup })), {
    errors: [
      {
        path: '/nodes/2',
        message:
          'send "text" is scheduled inside DND hours and would never be sent: it comes right after delay "later", which ends at 06:30, always inside the DND hours, and whenInDnd is "skip"',
      },
    ],
    warnings: [],
  });

  const withFallback = journey({
    delay: { untilTime: '06:30' },
    setup,
    extraNodes: [{ id: 'fallback', kind: 'send', channel: 'email', message: { subject: 'Hi', body: 'Hello' } }],
    sendEdges: [{ from: 'text', to: 'done' }, { from: 'text', to: 'fallback', branch: 'unreachable' }, { from: 'fallback', to: 'done' }],
  });
  assert.deepEqual(checks(withFallback), {
    errors: [],
    warnings: [
      {
        path: '/nodes/2',
        message:
          'send "text" is scheduled inside DND hours and would never be sent: it comes right after delay "later", which ends at 06:30, always inside the DND hours, and whenInDnd is "skip", so every user coming from "later" takes its "unreachable" branch',
      },
    ],
  });
});

test('DND: per-weekday windows, the delay\'s days, dates with a time, and zones that differ', () => {
  const weekend = { windows: [{ start: '00:00', end: '12:00', days: ['sat' as const, 'sun' as const] }, { start: '20:00', end: '08:00' }] };
  const onWeekends = journey({ delay: { untilTime: '10:00', days: ['sat', 'sun'] }, setup: { dnd: weekend } });
  assert.deepEqual(checks(onWeekends).warnings, [
    {
      path: '/nodes/2',
      message:
        'send "text" is scheduled inside DND hours: it comes right after delay "later", which ends at 10:00 on sat, sun, always inside the DND hours, so it will always be deferred to when the window ends (12:00)',
    },
  ]);

  const birthday = journey({ delay: { untilDate: { property: 'birthday', time: '07:00' } }, setup: { dnd: weekend } });
  const found = checks(birthday).warnings;
  assert.equal(found.length, 1);
  assert.match(found[0]!.message, /ends at 07:00, always inside the DND hours, so it will always be deferred to when the window ends \(08:00 or 12:00\)$/);

  // The delay reads the journey's clock, DND the user's: for users elsewhere the two differ, so not "always".
  const zones = journey({ delay: { untilTime: '22:00', timezone: 'journey' }, setup: { dnd: { start: '21:00', end: '09:00' } } });
  assert.deepEqual(checks(zones), NOTHING);
  const same = journey({ delay: { untilTime: '22:00', timezone: 'journey' }, setup: { dnd: { start: '21:00', end: '09:00', timezone: 'journey' } } });
  assert.equal(checks(same).warnings.length, 1);
});

test('warning: a wait for an event an exiting goal always takes first', () => {
  const waiting = (goals: JourneyDefinition['goals'], where?: JourneyDefinition['goals']) => ({
    ...journey({ goals }),
    nodes: [
      { id: 'start', kind: 'entry' as const, trigger: { type: 'action' as const, event: 'Signed Up' } },
      { id: 'paid', kind: 'wait' as const, event: 'Charged', timeout: '2d', ...(where ? { where: where[0]!.where } : {}) },
      { id: 'done', kind: 'exit' as const },
    ],
    edges: [
      { from: 'start', to: 'paid' },
      { from: 'paid', to: 'done', branch: 'yes' },
      { from: 'paid', to: 'done', branch: 'timeout' },
    ],
  });
  assert.deepEqual(checks(waiting([{ id: 'bought', event: 'Charged' }])), {
    errors: [],
    warnings: [
      {
        path: '/nodes/1/event',
        message: 'wait "paid" waits for "Charged", which is also goal "bought" (exitOnGoal): the goal is checked first and exits the user, so the "yes" branch is never taken',
      },
    ],
  });
  const big = [{ property: 'amount', op: '>=' as const, value: 100 }];
  // The goal's filters are among the wait's own: every event the wait takes, the goal takes first.
  assert.equal(checks(waiting([{ id: 'bought', event: 'Charged', where: big }], [{ id: 'x', event: 'x', where: big }])).warnings.length, 1);
  // Not always: a count-only goal, a goal with filters the wait does not have, a goal with a window, or a
  // count-only goal on the same event listed first (it takes the event, and the exiting goal no longer applies).
  assert.deepEqual(checks(waiting([{ id: 'bought', event: 'Charged', exitOnGoal: false }])), NOTHING);
  assert.deepEqual(checks(waiting([{ id: 'bought', event: 'Charged', where: big }])), NOTHING);
  assert.deepEqual(checks(waiting([{ id: 'bought', event: 'Charged', within: '1d' }])), NOTHING);
  assert.deepEqual(checks(waiting([{ id: 'counted', event: 'Charged', exitOnGoal: false }, { id: 'bought', event: 'Charged' }])), NOTHING);
  // An exiting goal with filters first does not hide an unconditional exiting goal after it.
  assert.deepEqual(
    checks(waiting([{ id: 'big', event: 'Charged', where: big }, { id: 'bought', event: 'Charged' }])).warnings.map((w) => w.path),
    ['/nodes/1/event'],
  );
});

test('warning: templates naming traits no profile has, only when the known traits are given', () => {
  const definition = journey({
    extraNodes: [
      {
        id: 'mail',
        kind: 'send',
        channel: 'email',
        message: {
          subject: '{{ Profile.Name | default: "Hi" }}, {{ Profile.nickname }}',
          body: 'Dear {{ Profile.title | default: "customer" }} {{ Profile.title }}, {% if Profile.vip %}{{ Profile.tier | default: "gold" }}{% endif %} {{ Profile.Phone }} {{ Profile.Identity }} {{ Profile.score }} {{ Event.price }}',
        },
      },
      { id: 'tag', kind: 'updateProfile', set: { score: 1, gone: null } },
    ],
  });
  definition.edges = [
    { from: 'start', to: 'tag' },
    { from: 'tag', to: 'later' },
    { from: 'later', to: 'text' },
    { from: 'text', to: 'mail' },
    { from: 'mail', to: 'done' },
  ];
  assert.deepEqual(checks(definition), NOTHING, 'no known traits: no trait checks');
  assert.deepEqual(checks(definition, { knownTraits: null }), NOTHING);

  const { errors, warnings } = checks(definition, { knownTraits: new Set(['name', 'email', 'phone', 'vip']) });
  assert.deepEqual(errors, []);
  assert.deepEqual(warnings, [
    { path: '/nodes/4/message/subject', message: 'Profile.nickname at line 1, column 40: no profile has a "nickname" trait, so it is blank for every user' },
    // Used once with a default and once without: blank for the second.
    { path: '/nodes/4/message/body', message: 'Profile.title at line 1, column 9: no profile has a "title" trait, so it is blank for every user' },
    { path: '/nodes/4/message/body', message: 'Profile.tier at line 1, column 92: no profile has a "tier" trait, so every user gets the default' },
  ]);

  const noPhone = checks(definition, { knownTraits: new Set(['name', 'email', 'nickname', 'title', 'tier', 'vip']) }).warnings;
  assert.deepEqual(noPhone, [
    { path: '/nodes/2/channel', message: 'send "text" is an SMS, but no profile has a "phone" trait: it would be skipped for every user' },
    { path: '/nodes/4/message/body', message: 'Profile.Phone (the "phone" trait) at line 1, column 140: no profile has a "phone" trait, so it is blank for every user' },
  ]);
});

test('warning: an entry window that has already closed', () => {
  const definition = journey({ setup: { endAt: '2026-01-01T00:00:00Z' } });
  assert.deepEqual(checks(definition, { now: Date.UTC(2026, 0, 2) }), {
    errors: [],
    warnings: [{ path: '/setup/endAt', message: 'endAt (2026-01-01T00:00:00Z) has already passed: nobody can enter this version' }],
  });
  assert.deepEqual(checks(definition, { now: Date.UTC(2025, 11, 31) }), NOTHING);
  assert.deepEqual(checks(definition), NOTHING, 'no clock: not checked');
});

test('every finding at once', () => {
  const definition = journey({
    goals: [{ id: 'again', event: 'Signed Up' }],
    delay: { untilTime: '23:00' },
    setup: { endAt: '2020-01-01T00:00:00Z', dnd: { start: '21:00', end: '09:00', whenInDnd: 'skip' } },
  });
  const { errors, warnings } = checks(definition, { now: Date.UTC(2026, 0, 1), knownTraits: new Set() });
  assert.deepEqual(errors.map((p) => p.path), ['/goals/0/event', '/nodes/2']);
  assert.deepEqual(warnings.map((p) => p.path), ['/setup/endAt', '/nodes/2/channel']);
});
