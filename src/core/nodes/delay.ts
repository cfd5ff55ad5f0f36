/** Waits, then goes on: a duration, until a local time, or until a moment taken from a date trait. */
import { DateTime } from 'luxon';
import Type, { type Static } from 'typebox';
import { MISSED, NEXT, UNREACHABLE } from '../branches.ts';
import { firstAllowedMoment } from '../dnd.ts';
import { parseDuration } from '../duration.ts';
import { dateMoment, minutesOf, nextClockTime, WEEKDAYS, type Weekday } from '../local-time.ts';
import type { Problem } from '../problem.ts';
import { ClockTime, Duration, Id, Weekdays, ZoneChoice } from '../schema-parts.ts';
import { go } from '../step.ts';
import type { NodeSpec, PublishContext, PublishFindings } from './spec.ts';
import type { CompiledJourney } from '../compile.ts';

/** A moment taken from a date property of the profile: "3 days before renewal_date, at 10:00 local". */
export const DateMoment = Type.Object(
  {
    property: Type.String({ minLength: 1, maxLength: 200, description: 'A profile trait holding a date ("2026-12-01"), a date-time or epoch milliseconds' }),
    before: Type.Optional(Duration),
    after: Type.Optional(Duration),
    time: Type.Optional(ClockTime),
  },
  { additionalProperties: false, description: 'Whole days move by calendar days in the zone; `time` then sets the local time of day.' },
);
export type DateMoment = Static<typeof DateMoment>;

export const DelayNode = Type.Object(
  {
    id: Id,
    kind: Type.Literal('delay'),
    duration: Type.Optional(Duration),
    untilTime: Type.Optional(ClockTime),
    days: Type.Optional(Weekdays),
    untilDate: Type.Optional(DateMoment),
    timezone: Type.Optional(ZoneChoice),
  },
  {
    additionalProperties: false,
    description:
      'Wait, then go on. Exactly one of: `duration` (exact milliseconds, not wall-clock hours); `untilTime` (the next time the local clock shows it, at or after arrival, on one of `days` if given); `untilDate` (a moment from a profile date property; branch "missed" when it is missing or already past, if drawn, else the user leaves).',
  },
);
export type DelayNode = Static<typeof DelayNode>;

export type DelayPlan =
  | { type: 'duration'; ms: number }
  | { type: 'time'; time: string; days: Weekday[] | undefined; zone: 'user' | 'journey' }
  | { type: 'date'; property: string; beforeMs?: number; afterMs?: number; time?: string; zone: 'user' | 'journey' };

export const delay: NodeSpec<DelayNode, DelayPlan> = {
  kind: 'delay', schema: DelayNode,
  meta: {
    label: 'Delay', category: 'timing', description: 'Wait a while, until a local time, or until a date on the profile',
    fields: ['duration', 'untilTime', 'days', 'untilDate', 'timezone'], branches: [{ name: NEXT, label: 'Then' }, { name: MISSED, label: 'Missed', optional: true }], counters: ['entered', 'missed', 'goal'],
  },
  branches: () => [NEXT],
  optionalBranches: (node) => (node.untilDate ? [MISSED] : []),
  letsTimePass: true,
  check(node, path) {
    const problems: Problem[] = [];
    const modes = [node.duration, node.untilTime, node.untilDate].filter((m) => m !== undefined).length;
    if (modes !== 1) problems.push({ path, message: 'a delay needs exactly one of "duration", "untilTime" or "untilDate"' });
    if (node.days !== undefined && node.untilTime === undefined) problems.push({ path: `${path}/days`, message: '"days" goes with "untilTime"' });
    if (node.timezone !== undefined && node.duration !== undefined) problems.push({ path: `${path}/timezone`, message: 'a fixed duration has no time zone; use it with "untilTime" or "untilDate"' });
    if (node.untilDate?.before !== undefined && node.untilDate.after !== undefined) problems.push({ path: `${path}/untilDate`, message: 'give "before" or "after", not both' });
    return problems;
  },
  plan: delayPlan,
  arrive(node, walk, plan) {
    const until = delayEnd(plan, walk.base, (choice) => walk.zone(choice), walk.profile?.traits);
    if (until === null) {
      // A date that is missing or already past: the "missed" branch, or out of the journey.
      walk.count('node_missed', node.id);
      return walk.has(node.id, MISSED) ? go(MISSED) : { type: 'exit' };
    }
    if (until > walk.env.now) return { type: 'wait', until };
    return go(NEXT, until); // due already (a 10:00 reached at 10:00 exactly, or a late engine): go on
  },
  resume: () => go(NEXT),
  explain: (node) =>
    node.duration !== undefined
      ? `a ${node.duration} delay`
      : node.untilTime !== undefined
        ? `until ${node.untilTime} local time${node.days ? ` on ${node.days.join(', ')}` : ''}`
        : `until the date in ${node.untilDate?.property}`,
  publishChecks: (node, journey, context, findings) => sendInsideDnd(node, journey, context, findings),
};

function delayPlan(node: DelayNode): DelayPlan {
  const zone = node.timezone ?? 'user';
  if (node.untilTime !== undefined) return { type: 'time', time: node.untilTime, days: node.days, zone };
  if (node.untilDate !== undefined) {
    const { property, before, after, time } = node.untilDate;
    return {
      type: 'date',
      property,
      zone,
      ...(before ? { beforeMs: parseDuration(before) } : {}),
      ...(after ? { afterMs: parseDuration(after) } : {}),
      ...(time ? { time } : {}),
    };
  }
  return { type: 'duration', ms: parseDuration(node.duration!) };
}

/** When a delay entered at `base` ends; null when a date property gives no future moment. */
function delayEnd(plan: DelayPlan, base: number, zone: (choice: 'user' | 'journey') => string, traits: Record<string, unknown> | undefined): number | null {
  switch (plan.type) {
    case 'duration':
      return base + plan.ms;
    case 'time':
      return nextClockTime(base, plan.time, zone(plan.zone), plan.days);
    case 'date': {
      const at = dateMoment(traits?.[plan.property], zone(plan.zone), plan);
      return at === null || at < base ? null : at;
    }
  }
}

/** Monday 1 January 2024, 00:00 UTC: the week whose days stand for every weekday. */
const REFERENCE_MONDAY = Date.UTC(2024, 0, 1);
const DAY_MS = 86_400_000;

/**
 * Publish check: a delay that ends at a fixed local time (`untilTime`, or `untilDate` with a `time`), followed
 * directly by a send, where that time is inside a DND window on every day the delay can end on (never sent
 * with whenInDnd "skip" and no "unreachable" edge: error; otherwise a warning). Judged only when the delay and
 * DND read the same zone (both "user" or both "journey"): otherwise the two clocks differ per user. Wall-clock
 * times are compared on one representative week (daylight-saving days aside).
 */
function sendInsideDnd(node: DelayNode, journey: CompiledJourney, context: PublishContext, findings: PublishFindings): void {
  const dnd = journey.dnd;
  const plan = journey.plans.get(node.id) as DelayPlan;
  if (!dnd || dnd.windows.length === 0 || plan.type === 'duration') return;
  const time = plan.time;
  if (time === undefined || plan.zone !== dnd.zone) return;
  const sendId = journey.next.get(node.id)?.get(NEXT);
  const send = sendId === undefined ? undefined : journey.nodes.get(sendId);
  if (send?.kind !== 'send') return;
  const days: readonly Weekday[] = plan.type === 'time' && plan.days && plan.days.length > 0 ? plan.days : WEEKDAYS;
  const resumes: string[] = [];
  for (const day of days) {
    const at = REFERENCE_MONDAY + WEEKDAYS.indexOf(day) * DAY_MS + minutesOf(time) * 60_000;
    const allowed = firstAllowedMoment(at, dnd.windows, 'UTC');
    if (allowed === at) return;
    resumes.push(DateTime.fromMillis(allowed, { zone: 'UTC' }).toFormat('HH:mm'));
  }
  const on = days === WEEKDAYS ? '' : ` on ${days.join(', ')}`;
  const lands = `it comes right after delay "${node.id}", which ends at ${time}${on}, always inside the DND hours`;
  const path = `/nodes/${context.index.get(send.id)}`;
  if (dnd.whenInDnd === 'skip') {
    if (journey.next.get(send.id)?.has(UNREACHABLE)) {
      findings.warnings.push({
        path,
        message: `send "${send.id}" is scheduled inside DND hours and would never be sent: ${lands}, and whenInDnd is "skip", so every user coming from "${node.id}" takes its "unreachable" branch`,
      });
    } else {
      findings.errors.push({ path, message: `send "${send.id}" is scheduled inside DND hours and would never be sent: ${lands}, and whenInDnd is "skip"` });
    }
  } else {
    const ends = [...new Set(resumes)].sort().join(' or ');
    findings.warnings.push({ path, message: `send "${send.id}" is scheduled inside DND hours: ${lands}, so it will always be deferred to when the window ends (${ends})` });
  }
}
