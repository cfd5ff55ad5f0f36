/**
 * The API's request and response schemas. They validate requests, type the handlers (through the TypeBox
 * type provider), shape the JSON responses and generate the OpenAPI document, so they are the contract.
 */
import Type, { type Static, type TSchema } from 'typebox';
import { JOURNEY_ID_PATTERN } from '../app/journeys.ts';
import { MAX_HOURLY_DAYS, MAX_SERIES_DAYS } from '../app/series.ts';
import { MAX_BACKTEST_DAYS } from '../sim/backtest.ts';
import { Channel } from '../core/definition.ts';
import { MESSAGE_STATUSES, type MessageStatus as MessageStatusValue } from '../store/store.ts';
import { MAX_NESTING, MAX_TIMESTAMP, NESTING_LIMIT, TIME_ZONE_FORMAT } from './validation.ts';

const Millis = Type.Integer({ minimum: 0, description: 'Epoch milliseconds' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const AnyObject = Type.Object({}, { additionalProperties: true });

// ---------------------------------------------------------------- errors

export const ProblemSchema = Type.Object({
  path: Type.String({ description: 'JSON pointer to the bad field, in the body unless `in` says otherwise' }),
  message: Type.String(),
  in: Type.Optional(Type.Union([Type.Literal('querystring'), Type.Literal('params'), Type.Literal('headers')])),
});

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'HTTP status text' }),
  message: Type.String(),
  problems: Type.Optional(Type.Array(ProblemSchema)),
});

type ErrorCode = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 424 | 429;

/** Adds the error responses a route can give (401 and 403 always), so they are documented and serialized alike. */
export function withErrors<R extends Record<number, TSchema>, C extends ErrorCode = never>(ok: R, ...codes: C[]): R & { [K in C | 401 | 403]: typeof ErrorBody } {
  const errors: Record<number, typeof ErrorBody> = {};
  for (const code of [401, 403, ...codes]) errors[code] = ErrorBody;
  return { ...errors, ...ok } as R & { [K in C | 401 | 403]: typeof ErrorBody };
}

// ---------------------------------------------------------------- ingestion

/** Longest user id, event name or message id accepted; ids longer than this are almost surely a bug. */
export const MAX_ID = 200;

export const EventInput = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: MAX_ID }),
    event: Type.String({ minLength: 1, maxLength: MAX_ID, description: 'Event name, e.g. "Added to Cart"' }),
    properties: Type.Optional(
      Type.Object({}, { additionalProperties: true, ...NESTING_LIMIT, description: `Available to templates as Event.<name>; at most ${MAX_NESTING} levels of objects and arrays` }),
    ),
    timestamp: Type.Optional(
      Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0, maximum: MAX_TIMESTAMP, description: 'Epoch milliseconds' })], {
        description: 'When it happened: ISO 8601 with offset, or epoch ms, from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. Default: when the server receives it.',
      }),
    ),
    messageId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_ID,
        description:
          'Unique id of this event, used to drop duplicates (retries). Send one: without it the server makes a random id, so a retried request is counted twice.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type EventInput = Static<typeof EventInput>;

export const IngestResult = Type.Object({
  accepted: Type.Integer({ description: 'Events stored now' }),
  duplicates: Type.Integer({ description: 'Events whose messageId was seen before, ignored' }),
});

export const Traits = Type.Object(
  {
    name: Type.Optional(Nullable(Type.String())),
    email: Type.Optional(Nullable(Type.String({ description: 'Address for the email channel' }))),
    phone: Type.Optional(Nullable(Type.String({ description: 'Number for the SMS channel' }))),
    pushToken: Type.Optional(Nullable(Type.String({ description: 'Device token for the push channel' }))),
    timezone: Type.Optional(Nullable(Type.String({ format: TIME_ZONE_FORMAT, description: 'IANA zone, e.g. "Europe/Paris"; used for do-not-disturb hours' }))),
  },
  {
    additionalProperties: true,
    ...NESTING_LIMIT,
    description:
      `Merged into the stored traits (JSON merge patch): a key set to null is removed. Templates see them as Profile.<Name>. At most ${MAX_NESTING} levels of objects and arrays.`,
  },
);

export const ProfileInput = Type.Object({ userId: Type.String({ minLength: 1, maxLength: MAX_ID }), traits: Traits }, { additionalProperties: false });
export type ProfileInput = Static<typeof ProfileInput>;

/** Ingestion bodies: one item, or `{ batch: [...] }` refused whole if any item is bad. */
export function oneOrBatch<T extends TSchema>(item: T, maxBatch: number) {
  return Type.Union([item, Type.Object({ batch: Type.Array(item, { maxItems: maxBatch }) }, { additionalProperties: false })]);
}

export const ProfilesResult = Type.Object({ updated: Type.Integer() });

// ---------------------------------------------------------------- journeys

/**
 * Where a journey definition goes in a body or response. Validated by the JourneyService rather than here
 * (its problems are clearer than a union's and include the graph checks), and returned exactly as stored;
 * the OpenAPI document shows the full JourneyDefinition schema in its place (see openapi.ts).
 */
export const DefinitionSlot = Type.Object({}, { additionalProperties: true, description: 'A journey definition (JourneyDefinition)' });
/** The slot where a body may leave the definition out (Type.Optional makes a copy, so it is listed apart). */
export const OptionalDefinitionSlot = Type.Optional(DefinitionSlot);
/** Every slot, for the OpenAPI document to point at the real schema. */
export const DEFINITION_SLOTS: ReadonlySet<unknown> = new Set([DefinitionSlot, OptionalDefinitionSlot]);

const Layout = Type.Record(Type.String(), Type.Object({ x: Type.Number(), y: Type.Number() }), { description: 'Canvas positions by node id' });

export const JourneyId = Type.String({ pattern: JOURNEY_ID_PATTERN, description: '1-63 lowercase letters, digits and dashes' });
export const JourneyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const CreateJourneyBody = Type.Object(
  { id: Type.Optional(JourneyId), definition: DefinitionSlot, layout: Type.Optional(Layout) },
  { additionalProperties: false },
);
export const UpdateJourneyBody = Type.Object({ definition: DefinitionSlot, layout: Type.Optional(Layout) }, { additionalProperties: false });
export const ValidateJourneyBody = Type.Object(
  { definition: DefinitionSlot, id: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'The journey it is a draft of: its journey trigger may not name itself' })) },
  { additionalProperties: false },
);
const PublishCheck = Type.Object({
  path: Type.String({ description: 'JSON pointer under /definition, as in problems' }),
  message: Type.String(),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')], { description: 'error: publishing would be refused; warning: it would go ahead' }),
});
export const ValidateResult = Type.Object({
  valid: Type.Boolean(),
  problems: Type.Array(ProblemSchema),
  checks: Type.Optional(Type.Array(PublishCheck, { description: 'What publishing would find (the publish checks); only for a valid definition' })),
});

const JourneyStatus = Type.Union(
  [Type.Literal('draft'), Type.Literal('scheduled'), Type.Literal('running'), Type.Literal('paused'), Type.Literal('stopped'), Type.Literal('completed')],
  { description: 'scheduled: running, with an entry timeline not started yet; completed: running, its timeline over and nobody left inside' },
);

export const JourneyRecord = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: JourneyStatus,
  version: Nullable(Type.Integer({ description: 'Newest published version' })),
  draft: DefinitionSlot,
  layout: Layout,
  createdAt: Millis,
  updatedAt: Millis,
});
export const JourneyList = Type.Object({ journeys: Type.Array(JourneyRecord) });

export const JourneyVersion = Type.Object({ journeyId: Type.String(), version: Type.Integer(), definition: DefinitionSlot, publishedAt: Millis });
export const PublishWarning = Type.Object({
  path: Type.String({ description: 'JSON pointer into the published definition, under /definition (as in POST /v1/journeys/validate)' }),
  message: Type.String(),
});
export const PublishResult = Type.Object({
  ...JourneyVersion.properties,
  warnings: Type.Array(PublishWarning, { description: 'What the publish checks found worth knowing but not worth refusing; empty when nothing' }),
  moved: Type.Integer({ description: 'Users in flight moved onto this version (with moveUsers)' }),
});
export const PublishBody = Type.Object(
  {
    moveUsers: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Move users in flight onto the new version where the node they are at still exists (they keep their current wait); others stay on theirs',
      }),
    ),
  },
  { additionalProperties: false },
);
export const VersionList = Type.Object({ versions: Type.Array(JourneyVersion) });
export const StopResult = Type.Object({ journey: JourneyRecord, exited: Type.Integer({ description: 'Users taken out of the journey' }) });

export { StatsView, SeriesView, BacktestView } from '../app/views.ts';

export const BacktestBody = Type.Object(
  {
    days: Type.Integer({ minimum: 1, maximum: MAX_BACKTEST_DAYS, description: 'Replay the events recorded in this many days before now' }),
    definition: OptionalDefinitionSlot,
  },
  { additionalProperties: false },
);

export const SeriesQuery = Type.Object(
  {
    days: Type.Integer({ minimum: 1, maximum: MAX_SERIES_DAYS, default: 7, description: `Local days to cover, today's included (hourly buckets: at most ${MAX_HOURLY_DAYS})` }),
    bucket: Type.Union([Type.Literal('day'), Type.Literal('hour')], { default: 'day', description: 'One bucket per local day, or per local hour' }),
  },
  { additionalProperties: false },
);

// ---------------------------------------------------------------- users and messages

/** Longest message id the click route takes (a journey id, the entry event's id, a node id and a step, joined). */
export const MAX_MESSAGE_ID = 500;
/** Longest id any route takes in its path, in characters: the server's router must let it through. */
export const MAX_PATH_ID = MAX_MESSAGE_ID;

export const UserParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: MAX_ID }) });

export const Profile = Type.Object({ userId: Type.String(), traits: AnyObject, updatedAt: Millis });

export const StoredEvent = Type.Object({
  messageId: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  timestamp: Millis,
  properties: AnyObject,
  receivedAt: Millis,
});

export const Instance = Type.Object({
  id: Type.String(),
  journeyId: Type.String(),
  version: Type.Integer(),
  userId: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('control'), Type.Literal('exited')]),
  nodeId: Nullable(Type.String()),
  wakeAt: Nullable(Millis),
  createdAt: Millis,
  enteredAt: Nullable(Millis),
  step: Type.Integer(),
  entryEvent: Type.Object({ messageId: Type.String(), name: Type.String(), timestamp: Millis, properties: AnyObject }),
  nodeUntil: Nullable(Millis),
  timeoutAt: Nullable(Millis),
  convertedAt: Nullable(Millis),
  exit: Nullable(Type.Object({ reason: Type.String(), at: Millis, nodeId: Nullable(Type.String()), goalId: Type.Optional(Type.String()) })),
});

export const MessageStatus = Type.Unsafe<MessageStatusValue>(
  Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s)), {
    description: 'pending: queued or waiting for a retry; sent: the provider took it; delivered: the provider says it reached the handset; failed: refused for good; dead: dead-lettered after the last retry; skipped: not sent (see reason); bounced: an email the mail server took, then reported undeliverable (POST /v1/bounces; reason: the status and diagnostic)',
  }),
);

export const Message = Type.Object({
  seq: Type.Integer({ description: 'Position in the message log: the pagination cursor' }),
  id: Type.String(),
  journeyId: Type.String(),
  version: Type.Integer(),
  instanceId: Type.String(),
  nodeId: Type.String(),
  userId: Type.String(),
  channel: Channel,
  status: MessageStatus,
  reason: Nullable(Type.String({ description: 'Why skipped, failed, dead or bounced; for a pending message tried before, the last transient error' })),
  content: Nullable(
    Type.Object({
      title: Type.Optional(Type.String()),
      subject: Type.Optional(Type.String()),
      body: Type.String(),
      url: Type.Optional(Type.String()),
      to: Type.Optional(Type.String()),
    }),
  ),
  createdAt: Millis,
  sentAt: Nullable(Millis),
  attempts: Type.Integer({ description: 'Send attempts recorded, retries included' }),
  nextAttemptAt: Nullable(Millis),
  provider: Nullable(Type.String({ description: "Who took the message: 'outbox' (no provider configured: recorded here only), 'smtp', 'webhook'" })),
  openedAt: Nullable(Type.Integer({ minimum: 0, description: "Epoch milliseconds: when the recipient first opened it, an email's pixel, a push opened in the app, or a first click (docs/channels.md)" })),
  clickedAt: Nullable(Millis),
});

export const MessagePage = Type.Object({
  messages: Type.Array(Message),
  next: Type.Integer({ description: 'Pass as `after` for the next page: the last seq returned (or `after` again when the page is empty)' }),
});

export const MessageLogPage = Type.Object({
  messages: Type.Array(Message),
  next: Type.Integer({
    description:
      'Pass as `after` (oldest first) or `before` (newest first) for the next page: where this one stopped, the last seq returned when the page is full, the last looked at when the scan limit stopped it; at the end of the log, the last returned (none: the `after` or `before` given, else 0)',
  }),
  more: Type.Boolean({ description: 'false when the log was read to its end (as of now); true when more may follow `next`: ask again' }),
});

export const PageQuery = Type.Object({
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'Return messages with seq greater than this' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});

export { ExplainInstance, ExplainResult, ExplainStep, Outcome } from '../app/views.ts';
