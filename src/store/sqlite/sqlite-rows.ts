/** Rows to records on SQLite: the shared row mappers bound to parse JSON text, and instances from their state. */
import type { Instance } from '../../core/instance.ts';
import { exitedAt, MIN_TIMESTAMP, rowMappers } from '../rows.ts';

export const { profile: toProfile, event: toEvent, journey: toJourney, message: toMessage, inboxEvent: toInboxEvent, instanceMessage: toInstanceMessage, inboxMessage: toInboxMessage } = rowMappers((value) => JSON.parse(value as string));

/**
 * How the SQL of this store tells a live instance from one that is over: by exited_at (set at the exit, never
 * cleared), which the partial indexes name, not by status, which changes while an instance is live (migration
 * 021). A query reads a partial index only when its WHERE spells out the index's own condition.
 */
export const LIVE = 'exited_at IS NULL';
export const EXITED = 'exited_at IS NOT NULL';

/**
 * A user's passes are one index, instances_by_user_exit (migration 025): after the user, EXIT_KEY (when the pass
 * exited, or 'live', which as text sorts after every number), then PASS_KEY (the journey of a live pass, so one
 * live pass a journey; the id of one that is over). A query reads it only when it spells these expressions out
 * as they are there, so a user's live passes are LIVE_OF_A_USER, and the ones that are over OVER_OF_A_USER.
 */
export const EXIT_KEY = "ifnull(exited_at, 'live')";
export const PASS_KEY = 'iif(exited_at IS NULL, journey_id, id)';
export const LIVE_OF_A_USER = `${EXIT_KEY} = 'live'`;
export const OVER_OF_A_USER = `${EXIT_KEY} < 'live'`;

/**
 * The exited_at of an instance that exited without a record of when (rows of early versions): not NULL, as it
 * is not live, and below every time, so it sets no re-entry cool-down (unit-views.ts reads it as no exit).
 */
export const EXIT_UNKNOWN = MIN_TIMESTAMP;

/** The instances.exited_at column on SQLite: exitedAt, and EXIT_UNKNOWN for an exited instance without one. */
export function exitedAtColumn(instance: Instance): number | null {
  return exitedAt(instance) ?? (instance.status === 'exited' ? EXIT_UNKNOWN : null);
}

/**
 * The columns an instance is read from (migration 023), in this order, as a raw row (Sql.raw): each field a
 * column holds from that column, the entry event from `entry`, and the rest from `state`. A query may select
 * more columns after these.
 */
export const INSTANCE_COLUMNS = 'id, journey_id, version, user_id, status, node_id, wake_at, entered_at, entry, state';
export const INSTANCE_COLUMNS_OF_I = INSTANCE_COLUMNS.split(', ').map((c) => `i.${c}`).join(', ');
/** The index of the first column after INSTANCE_COLUMNS in a raw row. */
export const AFTER_INSTANCE_COLUMNS = INSTANCE_COLUMNS.split(', ').length;

export function toInstance(row: unknown[]): Instance {
  const state = JSON.parse(row[9] as string) as InstanceState;
  // One object literal, in one order: a spread of the parsed state cost three times as much, and more garbage.
  const instance: Instance = {
    id: row[0] as string,
    journeyId: row[1] as string,
    version: row[2] as number,
    userId: row[3] as string,
    status: row[4] as Instance['status'],
    nodeId: row[5] as string | null,
    wakeAt: row[6] as number | null,
    createdAt: state.createdAt,
    enteredAt: row[7] as number | null,
    step: state.step,
    entryEvent: JSON.parse(row[8] as string),
    nodeUntil: state.nodeUntil,
    timeoutAt: state.timeoutAt,
    convertedAt: state.convertedAt,
    exit: state.exit,
  };
  if (state.wakeNotBefore !== undefined) instance.wakeNotBefore = state.wakeNotBefore;
  if (state.outcomes !== undefined) instance.outcomes = state.outcomes;
  return instance;
}

/** The fields of an instance no column holds: its `state`. */
type InstanceState = Omit<Instance, 'id' | 'journeyId' | 'version' | 'userId' | 'status' | 'nodeId' | 'wakeAt' | 'enteredAt' | 'entryEvent'>;

/** An instance's `state`: what no column holds, so that a step writes a few dozen bytes of JSON, not the entry event again. */
export function instanceState(i: Instance): string {
  const state: InstanceState = {
    createdAt: i.createdAt,
    step: i.step,
    wakeNotBefore: i.wakeNotBefore,
    nodeUntil: i.nodeUntil,
    timeoutAt: i.timeoutAt,
    convertedAt: i.convertedAt,
    exit: i.exit,
    outcomes: i.outcomes,
  };
  return JSON.stringify(state);
}
