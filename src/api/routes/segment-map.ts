/**
 * Segment's Tracking API spec, which RudderStack's follows, in Waymark's terms: the messages' schemas, and how
 * each type of message becomes events and profile traits (the rules are listed in docs/integrations.md).
 */
import { randomUUID } from 'node:crypto';
import Type, { type Static, type TSchema } from 'typebox';
import type { Problem } from '../errors.ts';
import { MAX_ID } from '../schemas.ts';
import { MAX_TIMESTAMP, NESTING_LIMIT, TIME_ZONE_FORMAT, timestampProblem } from '../validation.ts';
import { ProfilePatches, traitProblems, type Mapped } from './compat.ts';

export const SEGMENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

/** Segment's limits: 32 KB a message, 500 KB a batch request. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

/** What an `alias` call is recorded as, under the new user id, besides merging the former id into it. */
export const ALIAS_EVENT = 'Alias';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = (description?: string) => Type.String({ minLength: 1, maxLength: MAX_ID, ...(description ? { description } : {}) });
const Time = (description: string) =>
  Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0, maximum: MAX_TIMESTAMP, description: 'Epoch milliseconds' })], { description });
const Free = (description: string) => Type.Object({}, { additionalProperties: true, ...NESTING_LIMIT, description });

const Context = (description: string) =>
  Type.Object(
    { timezone: Type.Optional(Type.String({ format: TIME_ZONE_FORMAT, description: "The user's IANA zone; becomes the profile's timezone trait" })) },
    { additionalProperties: true, ...NESTING_LIMIT, description },
  );

const TypeField = Type.Union(SEGMENT_TYPES.map((type) => Type.Literal(type)));

const fields = {
  userId: Type.Optional(Nullable(Id())),
  anonymousId: Type.Optional(Nullable(Id('Used as the user id when there is no userId (or as the user it was merged into); an identify with both merges it into userId'))),
  messageId: Type.Optional(Id('Deduplicates retries')),
  timestamp: Type.Optional(Time('When it happened, by the client clock; corrected by receivedAt - sentAt when sentAt is given')),
  originalTimestamp: Type.Optional(Time('Read when timestamp is absent (RudderStack)')),
  sentAt: Type.Optional(Time('When the client sent it, by its clock: corrects timestamp for clock skew')),
  context: Type.Optional(Context('Only timezone is read (and traits, for an identify without top-level traits)')),
  integrations: Type.Optional(Free('Accepted and ignored')),
  event: Type.Optional(Id('track: the event name')),
  name: Type.Optional(Type.String({ maxLength: MAX_ID, description: 'page, screen: the page or screen name' })),
  category: Type.Optional(Type.String({ maxLength: MAX_ID, description: 'page: the page category' })),
  properties: Type.Optional(Free('track, page, screen: the event properties')),
  traits: Type.Optional(Free('identify: merged into the profile; group: ignored')),
  groupId: Type.Optional(Id('group')),
  previousId: Type.Optional(Id('alias: the former id, merged into userId')),
};

/** One call, as sent to /v1/<type>. Fields beyond these are accepted and ignored, as Segment does. */
export const SegmentMessage = Type.Object({ type: Type.Optional(TypeField), ...fields, writeKey: Type.Optional(Type.String()) }, { additionalProperties: true });
export type SegmentMessage = Static<typeof SegmentMessage>;

export function segmentBatch(maxBatch: number) {
  return Type.Object(
    {
      batch: Type.Array(Type.Object({ type: TypeField, ...fields }, { additionalProperties: true }), { maxItems: maxBatch }),
      context: Type.Optional(Context("Merged under each message's own context")),
      sentAt: Type.Optional(Time('When the client sent the batch; for messages without their own sentAt')),
      writeKey: Type.Optional(Type.String()),
    },
    { additionalProperties: true },
  );
}

export const SegmentResult = Type.Object({ success: Type.Literal(true) });

export interface SegmentRequest {
  messages: SegmentMessage[];
  /** For a call to /v1/<type>: that type. For a batch: undefined, each message names its own. */
  routeType?: SegmentType;
  batchContext?: Record<string, unknown>;
  /** The batch's sentAt, in epoch ms. */
  batchSentAt?: number;
  receivedAt: number;
}

/** Maps every message, or reports every problem; `problems` non-empty means nothing may be stored. */
export function mapSegment(request: SegmentRequest): { mapped: Mapped; problems: Problem[] } {
  const problems: Problem[] = [];
  const patches = new ProfilePatches();
  const events: Mapped['events'] = [];
  const merges: NonNullable<Mapped['merges']> = [];
  request.messages.forEach((message, i) => {
    const at = request.routeType ? '' : `/batch/${i}`;
    const problem = (field: string, text: string) => problems.push({ path: `${at}${field}`, message: text });
    const type = (message.type ?? request.routeType)!;
    if (request.routeType && message.type !== undefined && message.type !== request.routeType) problem('/type', `must be "${request.routeType}" on /v1/${request.routeType}`);
    // A call's own size is bounded by the route's body limit; a message in a batch by this.
    if (!request.routeType && Buffer.byteLength(JSON.stringify(message)) > MAX_MESSAGE_BYTES) problem('', `is larger than ${MAX_MESSAGE_BYTES} bytes, Segment's limit for one message`);
    const required = (field: keyof SegmentMessage) => message[field] === undefined && problem(`/${field}`, `missing required field ${field}`);

    // An anonymous user is known by the anonymous id (the store resolves one merged into a user to the user).
    const userId = message.userId ?? message.anonymousId ?? null;
    if (type === 'alias') required('userId'), required('previousId');
    else if (userId === null) problem('/userId', 'missing: send userId or anonymousId');
    if (type === 'track') required('event');
    if (type === 'group') required('groupId');

    const timestamp = eventTime(message, request, at, problems);
    const context: Record<string, unknown> = { ...request.batchContext, ...message.context };
    const eventOf = (name: string, properties: Record<string, unknown>) =>
      events.push({ messageId: message.messageId ?? randomUUID(), userId: userId!, name, timestamp, properties });

    if (typeof context.timezone === 'string' && userId !== null) patches.add(userId, { timezone: context.timezone });
    if (type === 'identify') {
      const [traits, field] = message.traits !== undefined ? [message.traits, '/traits'] : [context.traits ?? {}, '/context/traits'];
      const bad = traitProblems(traits, `${at}${field}`);
      problems.push(...bad);
      if (bad.length === 0 && userId !== null) patches.add(userId, traits as Record<string, unknown>);
      // Both ids: the anonymous one is this user (identify after sign-in); the events before it are merged too.
      if (message.userId && message.anonymousId && message.userId !== message.anonymousId) merges.push({ before: events.length, from: message.anonymousId, into: message.userId });
    }
    if (type === 'track' && message.event !== undefined) eventOf(message.event, (message.properties ?? {}) as Record<string, unknown>);
    if (type === 'page' || type === 'screen') {
      const name = viewedName(type, message.category, message.name);
      if (name.length > MAX_ID) problem('/name', `makes the event name "${name.slice(0, 40)}…" longer than ${MAX_ID} characters`);
      const named = { ...(message.name ? { name: message.name } : {}), ...(message.category ? { category: message.category } : {}) };
      eventOf(name, { ...named, ...message.properties });
    }
    if (type === 'alias' && message.userId && message.previousId) {
      eventOf(ALIAS_EVENT, { previousId: message.previousId });
      merges.push({ before: events.length, from: message.previousId, into: message.userId });
    }
  });
  return { mapped: { events, profiles: patches.list(), merges }, problems };
}

/**
 * The event a page or screen view becomes, named as Segment's destinations (Mixpanel, Amplitude) name it:
 * "Viewed <category> <name> Page", or "Loaded a Page" without a name; likewise for screens.
 */
export function viewedName(type: 'page' | 'screen', category: string | undefined, name: string | undefined): string {
  const noun = type === 'page' ? 'Page' : 'Screen';
  const words = [category, name].filter((w) => w !== undefined && w.length > 0);
  return words.length > 0 ? `Viewed ${words.join(' ')} ${noun}` : `Loaded a ${noun}`;
}

/** Epoch ms of an ISO string or epoch-ms number; NaN when the string cannot be read. */
export function toMillis(value: string | number): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

/**
 * When it happened, in the server's time: the client's timestamp (or originalTimestamp) moved by
 * receivedAt - sentAt, Segment's clock-skew correction; the client's time as is without a sentAt; the
 * arrival time without either.
 */
function eventTime(message: SegmentMessage, request: SegmentRequest, at: string, problems: Problem[]): number {
  const field = message.timestamp !== undefined ? 'timestamp' : message.originalTimestamp !== undefined ? 'originalTimestamp' : null;
  if (field === null) return request.receivedAt;
  const client = toMillis(message[field]!);
  const sentAt = message.sentAt !== undefined ? toMillis(message.sentAt) : request.batchSentAt;
  if (Number.isNaN(client)) problems.push({ path: `${at}/${field}`, message: 'is not a date-time this server can read' });
  if (Number.isNaN(sentAt)) problems.push({ path: `${at}/sentAt`, message: 'is not a date-time this server can read' });
  const corrected = sentAt === undefined ? client : client + (request.receivedAt - sentAt);
  const problem = Number.isNaN(corrected) ? null : timestampProblem(corrected);
  if (problem) problems.push({ path: `${at}/${field}`, message: sentAt === undefined ? problem : `corrected for clock skew (+ receivedAt - sentAt) ${problem}` });
  return corrected;
}
