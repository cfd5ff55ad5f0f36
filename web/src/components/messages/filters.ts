/**
 * The message log's filters, one line each: the form draws them in this order and sends each one's value
 * as the query parameter `key`. `key` is typed by the route's query, so a filter the API does not take yet
 * does not compile.
 */
import type { FilterKey } from '../../store/messages.ts';

export type FilterInput =
  /** A choice of the project's journeys (their names, sending the id). */
  | { kind: 'journey' }
  /** A choice of the channels the server's registry lists. */
  | { kind: 'channel' }
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
  { key: 'nodeId', label: 'Node id', input: { kind: 'text', placeholder: 'Any node (with a journey)' } },
  { key: 'channel', label: 'Channel', input: { kind: 'channel' } },
  {
    key: 'status',
    label: 'Status',
    input: {
      kind: 'choice',
      options: [
        { value: 'sent', label: 'Sent' },
        { value: 'delivered', label: 'Delivered' },
        { value: 'skipped', label: 'Skipped' },
        { value: 'failed', label: 'Failed' },
        { value: 'bounced', label: 'Bounced' },
        { value: 'dead', label: 'Dead letter' },
        { value: 'pending', label: 'Pending' },
      ],
    },
  },
];
