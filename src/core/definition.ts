/**
 * The journey definition: one schema gives the TypeScript types, the runtime validation and the API docs.
 * A definition is logic only; canvas positions live apart from it (see `layout` on the journey).
 */
import Type, { type Static } from 'typebox';
import { CLOCK_TIME_PATTERN } from './local-time.ts';
import { DURATION_PATTERN } from './duration.ts';
import { Duration, Filter, type Condition } from './segment-schema.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Unique within the journey' });
const EventName = Type.String({ minLength: 1, maxLength: 200 });
export { Duration };
const ClockTime = Type.String({ pattern: CLOCK_TIME_PATTERN, description: 'Local wall-clock time, "HH:MM"' });
const Weekday = Type.Union([Type.Literal('mon'), Type.Literal('tue'), Type.Literal('wed'), Type.Literal('thu'), Type.Literal('fri'), Type.Literal('sat'), Type.Literal('sun')]);
const Weekdays = Type.Array(Weekday, { minItems: 1, maxItems: 7, uniqueItems: true, description: 'Days of the week, e.g. ["mon", "tue"]' });
const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 date-time with an offset, e.g. "2026-12-01T09:00:00Z"' });
const ZoneChoice = Type.Union([Type.Literal('user'), Type.Literal('journey')], {
  default: 'user',
  description: "'user': the profile's `timezone` trait, falling back to the journey's; 'journey': always the journey's",
});
const Template = Type.String({ maxLength: 100_000, description: 'Liquid template over Profile and Event' });

export const Channel = Type.Union([Type.Literal('push'), Type.Literal('sms'), Type.Literal('email'), Type.Literal('webhook')]);
export type Channel = Static<typeof Channel>;

const Filters = Type.Array(Filter, { maxItems: 50, description: 'All must hold (AND)' });
const SameAs = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  maxItems: 10,
  description: "Properties the event must share with the journey's entry event (e.g. the same cartId)",
});

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

/** A segment condition (docs/journeys.md, "Segments"); checked in full by validation, kept loose here so the schema stays small. */
const SegmentCondition = Type.Unsafe<Condition>(
  Type.Object(
    { type: Type.Union([Type.Literal('profile'), Type.Literal('event'), Type.Literal('message'), Type.Literal('all'), Type.Literal('any'), Type.Literal('not')]) },
    { additionalProperties: true, description: 'A segment condition: profile, event (did / did not, counts, windows), message outcome, or an all/any/not group' },
  ),
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

export { Filter };
export type Filter = Static<typeof Filter>;
export type FilterScalar = string | number | boolean;

export const EntryNode = Type.Object(
  { id: Id, kind: Type.Literal('entry'), trigger: Trigger },
  { additionalProperties: false, description: 'Where users come in. Exactly one per journey.' },
);

export const Message = Type.Object(
  {
    title: Type.Optional(Template),
    subject: Type.Optional(Template),
    body: Template,
    url: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false, description: 'push: title + body; sms: body; email: subject + body; webhook: url + body' },
);
export type Message = Static<typeof Message>;

export const SendNode = Type.Object(
  { id: Id, kind: Type.Literal('send'), channel: Channel, message: Message },
  { additionalProperties: false, description: 'Send one message on a channel, then go on.' },
);

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

export const WaitNode = Type.Object(
  {
    id: Id,
    kind: Type.Literal('wait'),
    event: EventName,
    where: Type.Optional(Filters),
    sameAs: Type.Optional(SameAs),
    timeout: Duration,
  },
  {
    additionalProperties: false,
    description:
      'Wait for the user to do `event` after reaching this node, for at most `timeout`. Branches: "yes" (it came in time, the timeout instant included) and "timeout". Events from before the user got here do not count.',
  },
);

export const SplitNode = Type.Object(
  {
    id: Id,
    kind: Type.Literal('split'),
    where: Type.Optional(Type.Array(Filter, { minItems: 1, maxItems: 50, description: 'Profile filters, all must hold (AND)' })),
    condition: Type.Optional(SegmentCondition),
  },
  {
    additionalProperties: false,
    description:
      'Route on the user as they are when they reach this node: `where` (profile traits) or `condition` (a segment condition: traits, event history, outcomes of earlier sends in this pass). Branches: "yes" and "no".',
  },
);

export const AbVariant = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Also the branch label of its edge' }),
    percent: Type.Integer({ minimum: 1, maximum: 100 }),
  },
  { additionalProperties: false },
);

export const AbSplitNode = Type.Object(
  { id: Id, kind: Type.Literal('abSplit'), variants: Type.Array(AbVariant, { minItems: 2, maxItems: 7 }) },
  {
    additionalProperties: false,
    description: 'Send each user down one variant, percentages adding up to 100; stable per (journey, user, node). Branches: the variant names.',
  },
);

export const UpdateProfileNode = Type.Object(
  {
    id: Id,
    kind: Type.Literal('updateProfile'),
    set: Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Type.Union([Type.String({ maxLength: 10_000 }), Type.Number(), Type.Boolean(), Type.Null()]), {
      minProperties: 1,
      maxProperties: 50,
      description: 'Traits to write, literal values only; null removes a trait. Merged like POST /v1/profiles.',
    }),
  },
  { additionalProperties: false, description: "Write traits to the user's profile, in the same transaction as the step, then go on." },
);

export const ExitNode = Type.Object(
  { id: Id, kind: Type.Literal('exit') },
  { additionalProperties: false, description: 'The user completes the journey.' },
);

export const JourneyNode = Type.Union([EntryNode, SendNode, DelayNode, WaitNode, SplitNode, AbSplitNode, UpdateProfileNode, ExitNode]);
export type JourneyNode = Static<typeof JourneyNode>;
export type NodeKind = JourneyNode['kind'];
export const NODE_SCHEMAS = { entry: EntryNode, send: SendNode, delay: DelayNode, wait: WaitNode, split: SplitNode, abSplit: AbSplitNode, updateProfile: UpdateProfileNode, exit: ExitNode } as const;

export const Edge = Type.Object(
  {
    from: Id,
    to: Id,
    branch: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'Which way out of `from` this edge is: "next" (the default) for linear nodes; each node kind lists its own (see docs/journeys.md)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Edge = Static<typeof Edge>;

export const Goal = Type.Object(
  {
    id: Id,
    event: EventName,
    where: Type.Optional(Filters),
    exitOnGoal: Type.Optional(Type.Boolean({ default: true, description: 'Leave the journey at once (default true)' })),
    // Conversion window from the moment the user entered: a later event neither counts nor exits.
    within: Type.Optional(Duration),
  },
  {
    additionalProperties: false,
    description:
      'A conversion: `event` matching `where`, within `within` of entering. Counted once per journey instance, control users included; with several goals, the first in the list that matches counts.',
  },
);
export type Goal = Static<typeof Goal>;

export const DndWindow = Type.Object(
  { start: ClockTime, end: ClockTime, days: Type.Optional(Weekdays) },
  { additionalProperties: false, description: 'Local hours on the days it starts on (every day if no `days`); may cross midnight, e.g. 22:00-09:00' },
);

export const Dnd = Type.Object(
  {
    start: Type.Optional(ClockTime),
    end: Type.Optional(ClockTime),
    windows: Type.Optional(Type.Array(DndWindow, { minItems: 1, maxItems: 14, description: 'Per-weekday windows, e.g. weekends longer' })),
    timezone: Type.Optional(ZoneChoice),
    whenInDnd: Type.Optional(
      Type.Union([Type.Literal('defer'), Type.Literal('skip')], {
        default: 'defer',
        description:
          "'defer': send when the window ends (later steps keep their spacing from the actual send); 'skip': record the message as skipped and take the node's \"unreachable\" branch (or go on if none is drawn)",
      }),
    ),
  },
  { additionalProperties: false, description: 'Do-not-disturb hours, applied when a message is about to be sent: `start`/`end` every day, plus any `windows`.' },
);
export type Dnd = Static<typeof Dnd>;

export const FrequencyCap = Type.Object(
  {
    max: Type.Integer({ minimum: 1, maximum: 1000, description: 'At most this many messages...' }),
    per: Type.String({ pattern: DURATION_PATTERN, description: '...in any window this long (a rolling window: "1d" is the last 24 hours)' }),
    channel: Type.Optional(Channel),
  },
  { additionalProperties: false, description: 'A project-wide cap on messages per user, across journeys: on one channel, or on all when no channel is named' },
);
export type FrequencyCap = Static<typeof FrequencyCap>;

export const Setup = Type.Object(
  {
    reentry: Type.Optional(
      Type.Union([Type.Literal('never'), Type.Literal('afterExit')], {
        default: 'never',
        description: "'never': a user enters once ever; 'afterExit': again, once the previous instance has ended",
      }),
    ),
    reentryCooldown: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: "With 'afterExit': how long after leaving before the user may enter again" })),
    startAt: Type.Optional(Type.String({ ...Timestamp, description: 'No entries before this moment (default: from publishing)' })),
    endAt: Type.Optional(Type.String({ ...Timestamp, description: 'No new entries from this moment; users inside finish' })),
    ignoreFrequencyCaps: Type.Optional(Type.Boolean({ default: false, description: "Opt out of the project's frequency caps (e.g. transactional reminders)" })),
    timeout: Type.Optional(Duration),
    controlGroupPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 99, default: 0 })),
    timezone: Type.Optional(Type.String({ minLength: 1, description: "IANA zone of the journey; without one, the project's (settings), else UTC" })),
    dnd: Type.Optional(Dnd),
  },
  { additionalProperties: false },
);
export type Setup = Static<typeof Setup>;

export const JourneyDefinition = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    setup: Type.Optional(Setup),
    goals: Type.Optional(Type.Array(Goal, { maxItems: 20 })),
    nodes: Type.Array(JourneyNode, { minItems: 1, maxItems: 500 }),
    edges: Type.Array(Edge, { maxItems: 2000 }),
  },
  { additionalProperties: false },
);
export type JourneyDefinition = Static<typeof JourneyDefinition>;
