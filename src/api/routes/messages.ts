/** The outbox and message log, for operators, polling integrations and the dashboard's message log. */
import Type from 'typebox';
import { recordEngagement } from '../../app/engagement.ts';
import { Channel } from '../../core/channels.ts';
import { Id } from '../../core/schema-parts.ts';
import type { MessageLogQuery } from '../../store/store.ts';
import type { Api, RouteContext } from '../context.ts';
import { messagePage } from '../message-log.ts';
import { ApiError, badRequest, type Problem } from '../errors.ts';
import { MAX_MESSAGE_ID, MessageLogPage, MessageStatus, PageQuery, withErrors } from '../schemas.ts';

/**
 * Messages of the range (a user's, else a journey's, else the whole log) looked at, at most, by one request
 * with a filter that has no index (node, status, channel). Measured looking at 10,000 messages with none
 * matching, in a log of 100,000: 1-15 ms on SQLite, 20-30 ms on PostgreSQL, on two shared cores.
 */
export const MESSAGE_SCAN_LIMIT = 10_000;

const MessagesQuery = Type.Object(
  {
    ...PageQuery.properties,
    before: Type.Optional(Type.Integer({ minimum: 0, description: 'With order=newest: return messages with seq less than this' })),
    order: Type.Union([Type.Literal('oldest'), Type.Literal('newest')], { default: 'oldest', description: 'oldest: seq ascending, paged with `after`; newest: seq descending, paged with `before`' }),
    journeyId: Type.Optional(Type.String({ minLength: 1 })),
    userId: Type.Optional(Type.String({ minLength: 1 })),
    nodeId: Type.Optional(Id),
    status: Type.Optional(MessageStatus),
    channel: Type.Optional(Channel),
  },
  { additionalProperties: false },
);

export function messageRoutes(app: Api, _context: RouteContext): void {
  app.get(
    '/v1/messages',
    {
      config: { access: 'read' },
      schema: {
        tags: ['messages'],
        summary: 'The message log, oldest first (or newest first), filtered by user, journey, node, status and channel',
        description:
          'Oldest first: page with `after` = the previous answer’s `next`; an empty page with `more` false means you are at the end (poll again later with the same `next`). ' +
          'Newest first (`order=newest`, for a log view): page with `before` = the previous `next` until `more` is false. ' +
          `With a node, status or channel filter (or newest first), a request looks at no more than ${MESSAGE_SCAN_LIMIT.toLocaleString('en')} messages of the user's, else the journey's, else the whole log, ` +
          'so a page may hold fewer than `limit`, or none, while `more` is true: ask again from `next`. `nodeId` needs `journeyId`.',
        querystring: MessagesQuery,
        response: withErrors({ 200: MessageLogPage }, 400),
      },
    },
    async (request) => {
      const { waymark } = request;
      const { after, before, limit, order, journeyId, userId, nodeId, status, channel } = request.query;
      const problems: Problem[] = [];
      if (order === 'newest' && after !== undefined) problems.push({ path: '/after', message: 'pages oldest first; with order=newest, page with before', in: 'querystring' });
      if (order === 'oldest' && before !== undefined) problems.push({ path: '/before', message: 'pages newest first; use it with order=newest', in: 'querystring' });
      if (nodeId !== undefined && journeyId === undefined) problems.push({ path: '/nodeId', message: 'needs journeyId: a node id names a node within one journey', in: 'querystring' });
      if (problems.length > 0) throw badRequest(problems, 'query string');
      const defined = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

      if (order === 'oldest' && nodeId === undefined && status === undefined && channel === undefined) {
        // As integrations have always paged it: every message of the range, unbounded by a scan limit.
        const page = await messagePage(waymark.store, { limit, ...defined('after', after), ...defined('journeyId', journeyId), ...defined('userId', userId) });
        return { ...page, more: page.messages.length === limit };
      }
      const query: MessageLogQuery = {
        order,
        limit,
        scanLimit: MESSAGE_SCAN_LIMIT,
        ...defined('from', order === 'newest' ? before : after),
        ...defined('userId', userId),
        ...defined('journeyId', journeyId),
        ...defined('nodeId', nodeId),
        ...defined('status', status),
        ...defined('channel', channel),
      };
      const page = await waymark.store.messageLog(query);
      return { messages: page.messages, next: page.scannedTo ?? (order === 'newest' ? (before ?? 0) : (after ?? 0)), more: page.more };
    },
  );

  app.post(
    '/v1/messages/:id/click',
    {
      config: { access: 'write' },
      schema: {
        tags: ['messages'],
        summary: 'Record a click on a message',
        description:
          'For the app or a link redirector of your own to call when the recipient follows a link of the message (Waymark\'s own tracked links need no call: docs/channels.md). The first click counts (later ones change nothing): it is counted on the node (and as an open if the message was not opened), the user gets a "Message Clicked" event, and splits on the "clicked" outcome read it.',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_ID }) }),
        response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 404),
      },
    },
    async (request) => {
      const { waymark } = request;
      const id = request.params.id;
      if (!(await recordEngagement(waymark.store, waymark.engine, id, 'click'))) throw new ApiError(404, `no message "${id}"`);
      return { ok: true };
    },
  );
}
