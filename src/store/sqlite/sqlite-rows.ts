/** Rows to records on SQLite: the shared row mappers bound to parse JSON text, and instances from their state. */
import type { Instance } from '../../core/instance.ts';
import { rowMappers, type Row } from '../rows.ts';

export const { profile: toProfile, event: toEvent, journey: toJourney, message: toMessage, inboxEvent: toInboxEvent, instanceMessage: toInstanceMessage, inboxMessage: toInboxMessage } = rowMappers((value) => JSON.parse(value as string));

export function toInstance(row: Row): Instance {
  return JSON.parse(row.state as string);
}
