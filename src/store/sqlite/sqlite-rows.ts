/** Rows to records on SQLite: the shared row mappers bound to parse JSON text, and instances from their state. */
import type { Instance } from '../../core/instance.ts';
import { exitedAt, MIN_TIMESTAMP, rowMappers, type Row } from '../rows.ts';

export const { profile: toProfile, event: toEvent, journey: toJourney, message: toMessage, inboxEvent: toInboxEvent, instanceMessage: toInstanceMessage, inboxMessage: toInboxMessage } = rowMappers((value) => JSON.parse(value as string));

/**
 * How the SQL of this store tells a live instance from one that is over: by exited_at (set at the exit, never
 * cleared), which the partial indexes name, not by status, which changes while an instance is live (migration
 * 021). A query reads a partial index only when its WHERE spells out the index's own condition.
 */
export const LIVE = 'exited_at IS NULL';
export const EXITED = 'exited_at IS NOT NULL';

/**
 * The exited_at of an instance that exited without a record of when (rows of early versions): not NULL, as it
 * is not live, and below every time, so it sets no re-entry cool-down (unit-views.ts reads it as no exit).
 */
export const EXIT_UNKNOWN = MIN_TIMESTAMP;

/** The instances.exited_at column on SQLite: exitedAt, and EXIT_UNKNOWN for an exited instance without one. */
export function exitedAtColumn(instance: Instance): number | null {
  return exitedAt(instance) ?? (instance.status === 'exited' ? EXIT_UNKNOWN : null);
}

export function toInstance(row: Row): Instance {
  return JSON.parse(row.state as string);
}
