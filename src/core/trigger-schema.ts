/** The entry triggers: how users come into a journey. Read by the entry node kind (nodes/entry.ts). */
import Type, { type Static } from 'typebox';
import { ClockTime, Duration, EventName, Filters, Id, SameAs, SegmentCondition, Timestamp, Weekdays, ZoneChoice } from './schema-parts.ts';

export const ActionTrigger = Type.Object(
  { type: Type.Literal('action'), event: EventName, where: Type.Optional(Filters) },
  { additionalProperties: false, description: 'Enter when the user does `event` with properties matching `where`.' },
);

export const InactionTrigger = Type.Object(
  {
    type: Type.Literal('inaction'),
    event: EventName,
    where: Type.Optional(Filters),
    notEvent: EventName,
    notWhere: Type.Optional(Filters),
    sameAs: Type.Optional(SameAs),
    within: Duration,
  },
  {
    additionalProperties: false,
    description:
      'Enter when the user does `event` (matching `where`) and does not do `notEvent` (matching `notWhere`, and sharing the `sameAs` properties with that `event`, e.g. the same cartId) within `within`, measured from the timestamp of that `event`.',
  },
);

export const Schedule = Type.Union([
  Type.Object(
    { type: Type.Literal('dates'), at: Type.Array(Timestamp, { minItems: 1, maxItems: 366 }) },
    { additionalProperties: false, description: 'Once, or on each of these moments' },
  ),
  Type.Object(
    { type: Type.Literal('recurring'), time: ClockTime, days: Type.Optional(Weekdays) },
    { additionalProperties: false, description: "Every day (or on `days`) at `time` in the journey's time zone" },
  ),
]);

export const SegmentTrigger = Type.Object(
  { type: Type.Literal('segment'), segment: SegmentCondition, schedule: Schedule },
  { additionalProperties: false, description: 'At each scheduled moment, everyone matching `segment` at that moment enters.' },
);

export const DateTrigger = Type.Object(
  {
    type: Type.Literal('date'),
    property: Type.String({ minLength: 1, maxLength: 200, description: 'A profile trait holding a date ("2026-12-01"), a date-time or epoch milliseconds' }),
    before: Type.Optional(Duration),
    after: Type.Optional(Duration),
    time: Type.Optional(ClockTime),
    annual: Type.Optional(Type.Boolean({ default: false, description: 'Every year on the month and day (a birthday), not once on the date' })),
    timezone: Type.Optional(ZoneChoice),
  },
  {
    additionalProperties: false,
    description:
      "Enter at a moment taken from a date property: e.g. 3 days `before` renewal_date, or on `birthday` (annual) at 10:00 local. Profiles are scanned once a day at midnight in the journey's zone for moments in the day ahead.",
  },
);

export const JourneyTrigger = Type.Object(
  {
    type: Type.Literal('journey'),
    journeyId: Type.String({ minLength: 1, maxLength: 64, description: 'The other journey' }),
    nodeId: Id,
  },
  {
    additionalProperties: false,
    description: 'Enter when the user reaches node `nodeId` of journey `journeyId` (any of its versions; its entry node: when the user enters it). Chains journeys.',
  },
);

export const Trigger = Type.Union([ActionTrigger, InactionTrigger, SegmentTrigger, DateTrigger, JourneyTrigger]);
export type Trigger = Static<typeof Trigger>;

