/**
 * The message log's filters, one line each: the form draws them in this order and sends each one's value
 * as the query parameter `key`. `key` is typed by the route's query, so a filter the API does not take yet
 * does not compile. (Status, channel and node would each be one more line here once the route takes them.)
 */
import type { FilterKey } from '../../store/messages.ts';

export type FilterInput =
  /** A choice of the project's journeys (their names, sending the id). */
  | { kind: 'journey' }
  | { kind: 'text'; placeholder: string }
  | { kind: 'choice'; options: { value: string; label: string }[] };

export interface FilterField {
  key: FilterKey;
  label: string;
  input: FilterInput;
}

export const MESSAGE_FILTERS: FilterField[] = [
  { key: 'journeyId', label: 'Journey', input: { kind: 'journey' } },
  { key: 'userId', label: 'User id', input: { kind: 'text', placeholder: 'Any user' } },
];
