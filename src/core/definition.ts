/**
 * The journey definition: one schema gives the TypeScript types, the runtime validation and the API docs.
 * A definition is logic only; canvas positions live apart from it (see `layout` on the journey). Each node
 * kind's schema lives with the kind (src/core/nodes); this file puts the journey together.
 */
import Type, { type Static } from 'typebox';
import { Channel } from './channels.ts';
import { DURATION_PATTERN } from './duration.ts';
import { NODE_KINDS, NODE_SPECS, type JourneyNode as AnyNode } from './nodes/index.ts';
import { ClockTime, Duration, EventName, Filter, Filters, Id, Timestamp, Weekdays, ZoneChoice } from './schema-parts.ts';

export { Duration, Filter };
export type Filter = Static<typeof Filter>;
export type FilterScalar = string | number | boolean;
export { ActionTrigger, InactionTrigger, SegmentTrigger, DateTrigger, JourneyTrigger, Schedule, Trigger } from './trigger-schema.ts';
export { EntryNode } from './nodes/entry.ts';
export { SendNode, Message } from './nodes/send.ts';
export { DelayNode, DateMoment } from './nodes/delay.ts';
export { WaitNode } from './nodes/wait.ts';
export { SplitNode } from './nodes/split.ts';
export { AbSplitNode, AbVariant } from './nodes/ab-split.ts';
export { UpdateProfileNode } from './nodes/update-profile.ts';
export { ExitNode } from './nodes/exit.ts';
export type { NodeKind } from './nodes/index.ts';
/** The channel names as a schema and a type (channels.ts has the table). */
export { Channel };

/** A node of any kind: the union of the registry's schemas (src/core/nodes/index.ts). */
export const JourneyNode = Type.Unsafe<AnyNode>(Type.Union(NODE_KINDS.map((kind) => NODE_SPECS[kind].schema)));
export type JourneyNode = AnyNode;

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
