/**
 * CleverTap's upload API (`{ "d": [records] }`) in Waymark's terms. Unlike Segment's batch, CleverTap takes
 * the good records of an upload and lists the bad ones with a code, so each record is checked on its own.
 * The rules are listed in docs/integrations.md.
 */
import { createHash, randomUUID } from 'node:crypto';
import Type, { type Static } from 'typebox';
import type { JourneyEvent } from '../../core/instance.ts';
import { MAX_ID, ProblemSchema } from '../schemas.ts';
import { MAX_TIMESTAMP, NESTING_LIMIT } from '../validation.ts';
import { ProfilePatches, schemaProblems, traitProblems, type Mapped } from './compat.ts';

export function clevertapUpload(maxRecords: number) {
  return Type.Object(
    { d: Type.Array(Type.Unknown({ description: 'An event { type: "event", identity, evtName, evtData, ts } or a profile { type: "profile", identity, profileData }' }), { maxItems: maxRecords }) },
    { additionalProperties: true },
  );
}

const Unprocessed = Type.Object({
  status: Type.Literal('fail'),
  code: Type.Integer({ description: "CleverTap's code: 509 no evtName, 512 bad structure, 515 bad Email, 516 bad Phone, 523 no identity, 524 neither event nor profile, 525 bad ts" }),
  error: Type.String(),
  record: Type.String({ description: 'The record as sent, in JSON' }),
});

export const ClevertapResult = Type.Object({
  status: Type.Union([Type.Literal('success'), Type.Literal('fail')], { description: 'fail only when records were sent and none was processed' }),
  processed: Type.Integer(),
  unprocessed: Type.Array(Unprocessed),
});
export type ClevertapResult = Static<typeof ClevertapResult>;

/** Errors of the whole request, in CleverTap's shape (see clevertap.ts); the fields are optional only for the serializer's sake. */
export const ClevertapError = Type.Object(
  {
    status: Type.Optional(Type.Literal('fail')),
    error: Type.Optional(Type.String()),
    code: Type.Optional(Type.Integer({ description: 'The HTTP status' })),
    problems: Type.Optional(Type.Array(ProblemSchema)),
  },
  { additionalProperties: true },
);

/** CleverTap's profile fields that are Waymark traits, and the traits they become. */
const FIELDS: Record<string, string> = { Name: 'name', Email: 'email', Phone: 'phone', Tz: 'timezone' };
/** CleverTap's subscription flags (true: subscribed) and the opt-out traits they set (true: opted out). */
const SUBSCRIPTIONS: Record<string, string> = { 'MSG-email': 'emailOptOut', 'MSG-sms': 'smsOptOut', 'MSG-push': 'pushOptOut' };
/** The code CleverTap gives a bad value of these traits; 512 otherwise. */
const TRAIT_CODES: Record<string, number> = { email: 515, phone: 516 };

const evtDataProblems = schemaProblems(Type.Object({}, { additionalProperties: true, ...NESTING_LIMIT }));

class RecordError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

type Rec = Record<string, unknown>;

/** Maps the good records and lists the bad ones; `receivedAt` times events sent without a ts. */
export function mapClevertap(records: unknown[], receivedAt: number): { mapped: Mapped; unprocessed: ClevertapResult['unprocessed'] } {
  const patches = new ProfilePatches();
  const events: JourneyEvent[] = [];
  const merges: NonNullable<Mapped['merges']> = [];
  const unprocessed: ClevertapResult['unprocessed'] = [];
  records.forEach((record, i) => {
    try {
      if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new RecordError(512, 'the record is not an object');
      const rec = record as Rec;
      if (rec.type === 'event') events.push(toEvent(rec, receivedAt));
      else if (rec.type === 'profile') {
        const userId = userOf(rec);
        patches.add(userId, toTraits(rec));
        // A profile with both ids is a device's profile (objectId) tied to the user who signed in on it
        // (identity): the device's id merges into the user, as an identify with both ids does.
        const device = deviceOf(rec);
        if (device !== null && device !== userId) merges.push({ before: events.length, from: device, into: userId });
      }
      else throw new RecordError(524, 'type must be "event" or "profile"');
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      unprocessed.push({ status: 'fail', code: error.code, error: `${error.message}. Skipped record number : ${i + 1}`, record: JSON.stringify(record) });
    }
  });
  return { mapped: { events, profiles: patches.list(), merges }, unprocessed };
}

/** The user id: `identity`, else CleverTap's own `objectId` (a device's id, like Segment's anonymousId). */
function userOf(rec: Rec): string {
  for (const field of ['identity', 'objectId']) {
    const value = rec[field];
    const id = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
    if (typeof id === 'string' && id.length > 0) {
      if (id.length > MAX_ID) throw new RecordError(523, `${field} must be at most ${MAX_ID} characters`);
      return id;
    }
  }
  throw new RecordError(523, "'identity' or 'objectId' is necessary to identify the user");
}

/** CleverTap's objectId when the record names an identity too (else null): the id a profile record merges. */
function deviceOf(rec: Rec): string | null {
  const identity = rec.identity;
  if (identity === undefined || identity === null || identity === '') return null;
  const object = rec.objectId;
  return typeof object === 'string' && object.length > 0 && object.length <= MAX_ID ? object : null;
}

function toEvent(rec: Rec, receivedAt: number): JourneyEvent {
  const userId = userOf(rec);
  const name = rec.evtName;
  if (typeof name !== 'string' || name.length === 0) throw new RecordError(509, 'evtName is mandatory');
  if (name.length > MAX_ID) throw new RecordError(512, `evtName must be at most ${MAX_ID} characters`);
  const data = rec.evtData ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new RecordError(512, 'evtData must be an object');
  const nesting = evtDataProblems(data, '/evtData')[0];
  if (nesting) throw new RecordError(512, `${nesting.path} ${nesting.message}`);
  const ts = rec.ts;
  if (ts !== undefined && !(typeof ts === 'number' && Number.isInteger(ts) && ts >= 0 && ts * 1000 <= MAX_TIMESTAMP)) {
    throw new RecordError(525, 'ts must be a UNIX epoch in seconds');
  }
  // CleverTap has no message id. With a ts, the same record sent again (a client's retry) gets the same id
  // and is dropped as a duplicate; without one, it happened "now" each time.
  const messageId = ts === undefined ? randomUUID() : `clevertap-${createHash('sha256').update(JSON.stringify([userId, name, ts, data])).digest('hex')}`;
  return { messageId, userId, name, timestamp: ts === undefined ? receivedAt : ts * 1000, properties: data as Rec };
}

function toTraits(rec: Rec): Rec {
  userOf(rec);
  const data = rec.profileData;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new RecordError(512, 'profileData must be an object');
  const traits: Rec = {};
  for (const [key, value] of Object.entries(data)) {
    if (key in SUBSCRIPTIONS) {
      if (value !== null && typeof value !== 'boolean') throw new RecordError(512, `profileData/${key} must be true, false or null`);
      traits[SUBSCRIPTIONS[key]!] = value === null ? null : !value;
    } else traits[FIELDS[key] ?? key] = value;
  }
  const problem = traitProblems(traits, '/profileData')[0];
  if (problem) {
    const trait = problem.path.split('/')[2] ?? '';
    const field = Object.keys(FIELDS).find((k) => FIELDS[k] === trait);
    throw new RecordError(TRAIT_CODES[trait] ?? 512, `${field ? `/profileData/${field}` : problem.path} ${problem.message}`);
  }
  return traits;
}
