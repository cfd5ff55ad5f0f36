/**
 * The messages page: the message log (GET /v1/messages) under the filters chosen, newest first, a page at a
 * time with the log's own cursor (`before` = the previous page's `next`), and the journeys' names for the
 * filter and table; and dead letters sent again, one (POST /v1/messages/{id}/resend) or every one the filters
 * match (POST /v1/messages/resend).
 */
import { client, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import { formatCount } from '../lib/format.ts';
import { appendUnique, filterQuery } from '../lib/lists.ts';
import { kit, messageOf, type Slice } from './kit.ts';

type Query = NonNullable<paths['/v1/messages']['get']['parameters']['query']>;
export type LogMessage = paths['/v1/messages']['get']['responses'][200]['content']['application/json']['messages'][number];
/** Every filter the route takes: the query minus its paging. */
export type FilterKey = Exclude<keyof Query, 'after' | 'before' | 'limit' | 'order'>;
export type MessageFilters = Partial<Record<FilterKey, string>>;
type ResendFilter = NonNullable<paths['/v1/messages/resend']['post']['requestBody']>['content']['application/json'];

export interface MessageLog {
  /** The filters the rows are for. */
  filters: MessageFilters;
  rows: LogMessage[] | null;
  /** Pass as `before` for the next (older) page. */
  next: number;
  /** There may be more: a filtered page can come back short with more behind it. */
  more: boolean;
  loading: boolean;
  error: string | null;
}

export interface MessagesSlice {
  messageLog: MessageLog;
  /** Journey id → name, for the journey filter and the table; null until read. */
  journeyNames: Record<string, string> | null;

  /** Reads the first page under `filters` (the current ones when not given). */
  loadMessages(filters?: MessageFilters): Promise<void>;
  moreMessages(): Promise<void>;
  loadJourneyNames(): Promise<void>;
  /** Opens the messages page filtered, e.g. on one user's messages. */
  showMessages(filters: MessageFilters): void;
  /** Sends one dead letter again; its row shows it pending, and a notice says so (or why not). Busy key `resend:<id>`. */
  resendMessage(id: string): Promise<void>;
  /** How many dead letters the current filters match, as many as "send all again" would send; null when it cannot be read, and for 0, the notice says so. */
  countDeadLetters(): Promise<number | null>;
  /** Sends again every dead letter the current filters match, then reads the log again. Busy key `resend-all`. */
  resendDeadLetters(): Promise<void>;
}

/** The bulk resend takes the log's filters but its status (dead, by definition) and its paging. */
function resendFilter(filters: MessageFilters): ResendFilter {
  const { status: _, ...rest } = filterQuery(filters);
  return rest as ResendFilter;
}

export const MESSAGES_PAGE = 50;
/** The journeys route's largest page: enough names for a filter list. */
const JOURNEY_NAMES_LIMIT = 500;

export const messagesSlice: Slice<MessagesSlice> = (set, get) => {
  const { guarded, withBusy } = kit(set, get);
  let run = 0;

  const read = async (filters: MessageFilters, before: number | null) => {
    const mine = ++run;
    set((s) => ({ messageLog: { ...s.messageLog, filters, loading: true, ...(before === null ? { rows: null, error: null } : {}) } }));
    // Filter values are what was typed or chosen; the server checks each (a 400 names the field).
    const query: Query = { limit: MESSAGES_PAGE, order: 'newest', ...(filterQuery(filters) as Partial<Query>), ...(before !== null ? { before } : {}) };
    try {
      const page = await guarded(() => unwrap(client.GET('/v1/messages', { params: { query } })));
      if (mine !== run) return; // the filters changed while this page was on its way
      set((s) => ({
        messageLog: {
          filters,
          rows: before === null ? page.messages : appendUnique(s.messageLog.rows ?? [], page.messages, (m) => m.id),
          next: page.next,
          more: page.more,
          loading: false,
          error: null,
        },
      }));
    } catch (error) {
      if (mine === run) set((s) => ({ messageLog: { ...s.messageLog, loading: false, error: messageOf(error) } }));
    }
  };

  return {
    messageLog: { filters: {}, rows: null, next: 0, more: false, loading: false, error: null },
    journeyNames: null,

    loadMessages(filters) {
      return read(filters ?? get().messageLog.filters, null);
    },

    async moreMessages() {
      const log = get().messageLog;
      if (log.loading || !log.more) return;
      await read(log.filters, log.next);
    },

    async loadJourneyNames() {
      try {
        const { journeys } = await guarded(() => unwrap(client.GET('/v1/journeys', { params: { query: { limit: JOURNEY_NAMES_LIMIT } } })));
        set({ journeyNames: Object.fromEntries(journeys.map((j) => [j.id, j.name])) });
      } catch {
        // Without names the filter takes an id and the table shows ids: nothing to stop for.
      }
    },

    showMessages(filters) {
      set((s) => ({ messageLog: { ...s.messageLog, filters, rows: null } }));
      get().navigate({ page: 'messages' });
    },

    resendMessage(id) {
      return withBusy(`resend:${id}`, async () => {
        const { message } = await guarded(() => unwrap(client.POST('/v1/messages/{id}/resend', { params: { path: { id } } })));
        set((s) => ({
          notice: { tone: 'success', text: `The message to ${message.userId} is queued again, under its own id: it goes out within seconds.` },
          messageLog: { ...s.messageLog, rows: s.messageLog.rows?.map((m) => (m.id === id ? message : m)) ?? null },
        }));
      });
    },

    async countDeadLetters() {
      try {
        const { requeued } = await guarded(() => unwrap(client.POST('/v1/messages/resend', { body: { ...resendFilter(get().messageLog.filters), dryRun: true } })));
        if (requeued === 0) set({ notice: { tone: 'success', text: 'No dead letters match these filters any more: nothing to send again.' } });
        return requeued;
      } catch (error) {
        set({ notice: { tone: 'error', text: messageOf(error) } });
        return null;
      }
    },

    resendDeadLetters() {
      return withBusy('resend-all', async () => {
        const { requeued } = await guarded(() => unwrap(client.POST('/v1/messages/resend', { body: resendFilter(get().messageLog.filters) })));
        const text =
          requeued === 0 ? 'No dead letters matched any more: nothing was sent again.' : `${formatCount(requeued)} ${requeued === 1 ? 'dead letter is' : 'dead letters are'} queued again, each under its own id: they go out within seconds.`;
        set({ notice: { tone: 'success', text } });
        await get().loadMessages();
      });
    },
  };
};
