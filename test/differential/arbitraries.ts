/**
 * Random cases for the differential tests: a journey using every node kind, project settings with frequency
 * caps, profiles with and without addresses and time zones, and an event stream in arrival order (out of
 * order, redelivered, same-millisecond ties, mixed users) that starts on a DST night in New York or Berlin.
 * Values come from small fixed sets, so shrinking lands on a case a person can read.
 */
import fc from 'fast-check';
import type { Edge, JourneyDefinition, JourneyNode } from '../../src/core/definition.ts';
import type { JourneyEvent } from '../../src/core/instance.ts';
import type { ProjectSettings } from '../../src/core/settings.ts';
import type { ProfileUpsert } from '../../src/store/store.ts';

/** A few hours before a DST change: the stream's hours and days cross it. */
export const STARTS = [
  '2026-03-07T22:00:00Z', // New York springs forward at 02:00 local on 8 March
  '2026-10-31T23:00:00Z', // New York falls back at 02:00 local on 1 November
  '2026-03-28T21:00:00Z', // Berlin springs forward at 02:00 local on 29 March
  '2026-10-24T21:00:00Z', // Berlin falls back at 03:00 local on 25 October
].map((s) => Date.parse(s));

const ZONES = ['America/New_York', 'Europe/Berlin'] as const;
const USERS = ['u1', 'u2', 'u3', 'u4'] as const;
const MIN = 60_000;

export interface DiffCase {
  start: number;
  journey: JourneyDefinition;
  settings: ProjectSettings;
  profiles: ProfileUpsert[];
  /** In arrival order; a timestamp may be earlier than the one before (it arrived late). */
  events: JourneyEvent[];
}

/** The tree the journey is drawn from; every leaf is an exit. */
type Tree =
  | { k: 'exit' }
  | { k: 'send'; channel: 'email' | 'sms' | 'push' | 'webhook'; next: Tree; unreachable: Tree | undefined }
  | { k: 'delay'; mode: 'duration' | 'time' | 'date'; duration: string; time: string; zone: 'user' | 'journey'; date: { before?: string; after?: string; time?: string }; next: Tree; missed: Tree | undefined }
  | { k: 'wait'; timeout: string; where: boolean; yes: Tree; no: Tree }
  | { k: 'split'; plan: string; yes: Tree; no: Tree }
  | { k: 'abSplit'; percent: number; a: Tree; b: Tree }
  | { k: 'updateProfile'; plan: string | null; next: Tree };

const depth = { maxDepth: 4, depthIdentifier: 'journey' } as const;

const tree = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { ...depth, depthSize: 'medium' },
    { weight: 2, arbitrary: fc.constant<Tree>({ k: 'exit' }) },
    // Sends weigh most: they are what is compared.
    { weight: 5, arbitrary: fc.record({ k: fc.constant('send' as const), channel: fc.constantFrom('email', 'sms', 'push', 'webhook'), next: tie('node'), unreachable: fc.option(tie('node'), { nil: undefined, ...depth }) }) },
    fc.record({
      k: fc.constant('delay' as const),
      mode: fc.constantFrom('duration', 'time', 'date'),
      duration: fc.constantFrom('1ms', '90s', '30m', '2h', '1d'),
      // 02:30 does not exist on a spring-forward night, 01:30 happens twice on a fall-back one.
      time: fc.constantFrom('02:30', '01:30', '09:00', '00:00'),
      zone: fc.constantFrom('user', 'journey'),
      date: fc.record({ before: fc.constantFrom('1d', '2h'), after: fc.constantFrom('1d', '30m'), time: fc.constantFrom('02:30', '09:00') }, { requiredKeys: [] }).map((d) => (d.before && d.after ? { before: d.before, ...(d.time ? { time: d.time } : {}) } : d)),
      next: tie('node'),
      missed: fc.option(tie('node'), { nil: undefined, ...depth }),
    }),
    fc.record({ k: fc.constant('wait' as const), timeout: fc.constantFrom('1ms', '10m', '1h', '1d'), where: fc.boolean(), yes: tie('node'), no: tie('node') }),
    fc.record({ k: fc.constant('split' as const), plan: fc.constantFrom('pro', 'free'), yes: tie('node'), no: tie('node') }),
    fc.record({ k: fc.constant('abSplit' as const), percent: fc.constantFrom(1, 50, 99), a: tie('node'), b: tie('node') }),
    fc.record({ k: fc.constant('updateProfile' as const), plan: fc.constantFrom('pro', 'free', null), next: tie('node') }),
  ),
})).node;

const MESSAGES = {
  email: { subject: 'Hi {{ Profile.name | default: "there" }}', body: '<p>{{ Event.amount }}</p>' },
  sms: { body: 'Cart {{ Event.amount }}' },
  push: { title: 'Hey', body: 'Plan {{ Profile.plan }}' },
  webhook: { url: 'https://example.com/hook', body: '{"user": "{{ Profile.name }}"}' },
};

/** Flattens a tree into nodes and edges, ids in depth-first order. */
function flatten(root: Tree): { nodes: JourneyNode[]; edges: Edge[] } {
  const nodes: JourneyNode[] = [{ id: 'entry', kind: 'entry', trigger: { type: 'action', event: 'Start' } }];
  const edges: Edge[] = [];
  const visit = (t: Tree, from: string, branch: string) => {
    const id = `${t.k}${nodes.length}`;
    edges.push(branch === 'next' ? { from, to: id } : { from, to: id, branch });
    switch (t.k) {
      case 'exit':
        nodes.push({ id, kind: 'exit' });
        return;
      case 'send':
        nodes.push({ id, kind: 'send', channel: t.channel, message: MESSAGES[t.channel] } as JourneyNode);
        visit(t.next, id, 'next');
        if (t.unreachable) visit(t.unreachable, id, 'unreachable');
        return;
      case 'delay': {
        const zone = t.zone === 'journey' ? { timezone: 'journey' as const } : {};
        if (t.mode === 'duration') nodes.push({ id, kind: 'delay', duration: t.duration });
        else if (t.mode === 'time') nodes.push({ id, kind: 'delay', untilTime: t.time, ...zone });
        else nodes.push({ id, kind: 'delay', untilDate: { property: 'renewal', ...t.date }, ...zone });
        visit(t.next, id, 'next');
        if (t.mode === 'date' && t.missed) visit(t.missed, id, 'missed');
        return;
      }
      case 'wait':
        nodes.push({ id, kind: 'wait', event: 'Click', timeout: t.timeout, ...(t.where ? { where: [{ property: 'ok', op: '=', value: true }] } : {}) } as JourneyNode);
        visit(t.yes, id, 'yes');
        visit(t.no, id, 'timeout');
        return;
      case 'split':
        nodes.push({ id, kind: 'split', where: [{ property: 'plan', op: '=', value: t.plan }] } as JourneyNode);
        visit(t.yes, id, 'yes');
        visit(t.no, id, 'no');
        return;
      case 'abSplit':
        nodes.push({ id, kind: 'abSplit', variants: [{ name: 'a', percent: t.percent }, { name: 'b', percent: 100 - t.percent }] });
        visit(t.a, id, 'a');
        visit(t.b, id, 'b');
        return;
      case 'updateProfile':
        nodes.push({ id, kind: 'updateProfile', set: { plan: t.plan, touched: true } });
        visit(t.next, id, 'next');
        return;
    }
  };
  visit(root, 'entry', 'next');
  return { nodes, edges };
}

const setup = fc.record(
  {
    reentry: fc.constantFrom('never', 'afterExit'),
    cooldown: fc.constantFrom('1m', '1h'),
    timeout: fc.constantFrom('30m', '6h', '2d'),
    controlGroupPercent: fc.constantFrom(0, 50),
    timezone: fc.constantFrom(...ZONES),
    dnd: fc.record({
      start: fc.constantFrom('22:00', '01:00', '02:00'),
      end: fc.constantFrom('03:00', '08:00'),
      timezone: fc.constantFrom('user', 'journey'),
      whenInDnd: fc.constantFrom('defer', 'skip'),
    }),
    ignoreFrequencyCaps: fc.boolean(),
  },
  { requiredKeys: ['reentry'] },
).map(({ cooldown, ...s }) => (s.reentry === 'afterExit' && cooldown ? { ...s, reentryCooldown: cooldown } : s));

const goals = fc.array(
  fc.record({ exitOnGoal: fc.boolean(), within: fc.option(fc.constantFrom('1h', '1d'), { nil: undefined }), big: fc.boolean() }),
  { maxLength: 2 },
);

export const journeyArb: fc.Arbitrary<JourneyDefinition> = fc.record({ root: tree, setup, goals }).map(({ root, setup, goals }) => ({
  name: 'Differential',
  setup,
  goals: goals.map((g, i) => ({
    id: `goal${i}`,
    event: 'Buy',
    exitOnGoal: g.exitOnGoal,
    ...(g.within ? { within: g.within } : {}),
    ...(g.big ? { where: [{ property: 'amount', op: '>=', value: 10 }] } : {}),
  })),
  ...flatten(root),
}));

/** Caps in one case in three: they bite only when one user is due two sends within the window. */
export const settingsArb: fc.Arbitrary<ProjectSettings> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.record({ max: fc.constantFrom(1, 2), per: fc.constantFrom('1h', '1d'), channel: fc.constantFrom('email', 'sms', 'push', undefined) }), { minLength: 1, maxLength: 2 })
      .map((caps) => ({ frequencyCaps: caps.map(({ channel, ...c }) => (channel ? { ...c, channel } : c)) })),
  },
);

/** Addresses two times in three: a send is mostly sent, sometimes skipped for want of one. */
const often = <T>(value: T) => fc.constantFrom<T | undefined>(value, value, undefined);

const profileArb = (start: number) =>
  fc
    .record({
      email: often('x@example.com'),
      phone: often('+15550100'),
      pushToken: often('tok'),
      timezone: fc.constantFrom(...ZONES, 'Not/AZone', undefined),
      plan: fc.constantFrom('pro', 'free', undefined),
      name: often('Ana'),
      // A date trait around the start: missed when past, a moment across the DST night otherwise.
      renewal: fc.option(fc.integer({ min: -1, max: 3 }).map((d) => new Date(start + d * 86_400_000).toISOString().slice(0, 10)), { nil: undefined }),
      emailOptOut: fc.constantFrom(true, undefined, undefined, undefined),
    })
    .map((traits) => Object.fromEntries(Object.entries(traits).filter(([, v]) => v !== undefined)));

/**
 * Base events in time order, then redeliveries and late arrivals woven in. An ordered stream (two cases in
 * three) has neither late events nor late redeliveries.
 */
const eventsArb = (start: number) =>
  fc
    .tuple(
      fc.constantFrom(true, true, false),
      fc.array(
      fc.record({
        gap: fc.constantFrom(0, 0, 1, 30_000, 10 * MIN, 3_600_000, 5 * 3_600_000),
        userId: fc.constantFrom(...USERS),
        name: fc.constantFrom('Start', 'Start', 'Click', 'Buy', 'Other'),
        amount: fc.constantFrom(5, 20),
        ok: fc.boolean(),
        redeliver: fc.constantFrom(0, 0, 0, 1, 3),
        late: fc.constantFrom(0, 0, 0, 1, 30_000),
      }),
      { minLength: 1, maxLength: 14 },
      ),
    )
    .map(([ordered, raw]) => {
      let t = start;
      const keyed: { key: number; event: JourneyEvent }[] = [];
      raw.forEach((r, i) => {
        t += r.gap;
        // A late event happened before the previous one, and arrives after it.
        const timestamp = !ordered && i > 0 && r.late > 0 ? Math.max(start, t - r.late) : t;
        const event = { messageId: `e${i}`, userId: r.userId, name: r.name, timestamp, properties: { amount: r.amount, ok: r.ok } };
        keyed.push({ key: i, event });
        // A redelivery of the same event: right after it, or after two more (then it arrives late).
        if (r.redeliver > 0) keyed.push({ key: i + (r.redeliver === 1 || ordered ? 0.5 : 2.5), event: { ...event, properties: { ...event.properties } } });
      });
      return keyed.sort((a, b) => a.key - b.key).map((k) => k.event);
    });

export const caseArb: fc.Arbitrary<DiffCase> = fc.constantFrom(...STARTS).chain((start) =>
  fc.record({
    start: fc.constant(start),
    journey: journeyArb,
    settings: settingsArb,
    // Most users have a profile; one without gets every message skipped for want of an address.
    profiles: fc
      .tuple(...USERS.map((userId) => fc.option(profileArb(start).map((traits) => ({ userId, traits })), { freq: 4, nil: null })))
      .map((ps) => ps.filter((p) => p !== null)),
    events: eventsArb(start),
  }),
);

/** Whether every event's timestamp is at or after the one before (no late arrivals). */
export function inTimeOrder(events: readonly JourneyEvent[]): boolean {
  return events.every((e, i) => i === 0 || e.timestamp >= events[i - 1]!.timestamp);
}
