/**
 * The journey definition: one schema gives the TypeScript types, the runtime validation and the API docs.
 * A definition is logic only; canvas positions live apart from it (see `layout` on the journey).
 */
import Type, { type Static } from 'typebox';
import { CLOCK_TIME_PATTERN } from './dnd.ts';
import { DURATION_PATTERN } from './duration.ts';

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'Unique within the journey' });
const EventName = Type.String({ minLength: 1, maxLength: 200 });
export const Duration = Type.String({ pattern: DURATION_PATTERN, description: 'e.g. "500ms", "90s", "2m", "2h", "1d"' });
const ClockTime = Type.String({ pattern: CLOCK_TIME_PATTERN, description: 'Local wall-clock time, "HH:MM"' });
const Template = Type.String({ maxLength: 100_000, description: 'Liquid template over Profile and Event' });

export const Channel = Type.Union([Type.Literal('push'), Type.Literal('sms'), Type.Literal('email'), Type.Literal('webhook')]);
export type Channel = Static<typeof Channel>;

export const ActionTrigger = Type.Object(
  { type: Type.Literal('action'), event: EventName },
  { additionalProperties: false, description: 'Enter when the user does `event`.' },
);

export const InactionTrigger = Type.Object(
  {
    type: Type.Literal('inaction'),
    event: EventName,
    notEvent: EventName,
    within: Duration,
  },
  {
    additionalProperties: false,
    description:
      'Enter when the user does `event` and does not do `notEvent` within `within`, measured from the timestamp of that `event`.',
  },
);

export const Trigger = Type.Union([ActionTrigger, InactionTrigger]);
export type Trigger = Static<typeof Trigger>;

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

export const DelayNode = Type.Object(
  { id: Id, kind: Type.Literal('delay'), duration: Duration },
  { additionalProperties: false, description: 'Wait a fixed time (exact milliseconds, not wall-clock hours).' },
);

export const ExitNode = Type.Object(
  { id: Id, kind: Type.Literal('exit') },
  { additionalProperties: false, description: 'The user completes the journey.' },
);

export const JourneyNode = Type.Union([EntryNode, SendNode, DelayNode, ExitNode]);
export type JourneyNode = Static<typeof JourneyNode>;
export type NodeKind = JourneyNode['kind'];
export const NODE_SCHEMAS = { entry: EntryNode, send: SendNode, delay: DelayNode, exit: ExitNode } as const;

export const Edge = Type.Object(
  {
    from: Id,
    to: Id,
    branch: Type.Optional(Type.Literal('next', { description: 'Branch label; "next" is the only one so far' })),
  },
  { additionalProperties: false },
);
export type Edge = Static<typeof Edge>;

export const Goal = Type.Object(
  {
    id: Id,
    event: EventName,
    exitOnGoal: Type.Optional(Type.Boolean({ default: true, description: 'Leave the journey at once (default true)' })),
  },
  { additionalProperties: false, description: 'A conversion. Counted once per journey instance, control users included.' },
);
export type Goal = Static<typeof Goal>;

export const Dnd = Type.Object(
  {
    start: ClockTime,
    end: ClockTime,
    timezone: Type.Optional(
      Type.Union([Type.Literal('user'), Type.Literal('journey')], {
        default: 'user',
        description: "'user': the profile's timezone, falling back to the journey's; 'journey': always the journey's",
      }),
    ),
    whenInDnd: Type.Optional(
      Type.Union([Type.Literal('defer'), Type.Literal('skip')], {
        default: 'defer',
        description: "'defer': send when the window ends (later steps keep their spacing from the actual send); 'skip': record the message as skipped and go on",
      }),
    ),
  },
  { additionalProperties: false, description: 'Do-not-disturb hours, applied when a message is about to be sent.' },
);
export type Dnd = Static<typeof Dnd>;

export const Setup = Type.Object(
  {
    reentry: Type.Optional(
      Type.Union([Type.Literal('never'), Type.Literal('afterExit')], {
        default: 'never',
        description: "'never': a user enters once ever; 'afterExit': again, once the previous instance has ended",
      }),
    ),
    timeout: Type.Optional(Duration),
    controlGroupPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 99, default: 0 })),
    timezone: Type.Optional(Type.String({ minLength: 1, default: 'UTC', description: 'IANA zone of the journey' })),
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
