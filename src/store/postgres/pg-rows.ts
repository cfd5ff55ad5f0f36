/**
 * Rows to records, shared by the PostgreSQL store's modules: the row mappers bound for pg (json and jsonb arrive
 * decoded), an instance from its columns and back, the documents a batch writes as one json array, the messages
 * columns every message read returns, and the helpers that group rows.
 */
import type { EntryEvent, Instance, JourneyEvent } from '../../core/instance.ts';
import { rowMappers, type Row } from '../rows.ts';

export { getOrCreate, unique } from '../views.ts';

export const { profile: toProfile, event: toEvent, journey: toJourney, message: toMessage, inboxEvent: toInboxEvent, instanceMessage: toInstanceMessage, inboxMessage: toInboxMessage } = rowMappers((value) => value);

/**
 * How the SQL of this store tells a live instance from one that is over: by status, which the partial indexes
 * name. (A heap-only update is ruled out here anyway: wake_at changes with almost every write. The embedded
 * store reads exited_at instead, for SQLite's sake: sqlite-rows.ts.) A query reads a partial index only when
 * its WHERE spells out the index's own condition.
 */
export const LIVE = "status <> 'exited'";
export const EXITED = "status = 'exited'";

/** The columns an instance is read from (toInstance): its state and its entry event, kept apart (migration 023). */
export const INSTANCE_COLUMNS = 'state, entry';

/**
 * An instance from its row. The entry event has a column of its own (migration 023); a row not written since
 * has it in its state still, and entry NULL.
 */
export function toInstance(row: Row): Instance {
  const instance = row.state as Instance;
  if (row.entry !== null) instance.entryEvent = row.entry as EntryEvent;
  return instance;
}

/** The state written for an instance: every field but the entry event, which its own column holds. */
export function instanceState(instance: Instance): Omit<Instance, 'entryEvent'> {
  const { entryEvent: _entry, ...state } = instance;
  return state;
}

/**
 * A batch's documents (states, contents, properties) as one json array parameter, which a statement reads a row
 * at a time with json_array_elements beside the other columns' unnest (ROWS FROM). One JSON.stringify for the
 * batch, where a text[] parameter cost the writer a JSON.stringify and an escape into the array literal a row:
 * 0.44 µs against 2.7 µs a 170-byte document, and the database no more (measured alone; docs/performance-postgres.md).
 */
export function jsonArray(documents: readonly unknown[]): string {
  return JSON.stringify(documents);
}

/**
 * A json element of such an array as SQL NULL when it is JSON null: a message without content, an instance whose
 * entry event is stored already, and a document that is missing (JSON.stringify writes null for it), which a
 * NOT NULL column then refuses, failing the unit as before.
 */
export function sqlNull(element: string): string {
  return `CASE WHEN json_typeof(${element}) = 'null' THEN NULL ELSE ${element} END`;
}

export const MESSAGE_COLUMNS = 'seq, id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at, attempts, claims, sending_at, opened_at, clicked_at, next_attempt_at, provider';

/** The first of each message id, in the order given. */
export function firstByMessageId(events: JourneyEvent[]): JourneyEvent[] {
  const byId = new Map<string, JourneyEvent>();
  for (const e of events) if (!byId.has(e.messageId)) byId.set(e.messageId, e);
  return [...byId.values()];
}
