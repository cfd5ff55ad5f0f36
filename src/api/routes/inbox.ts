/**
 * The in-app inbox, for apps (the write key): a user's inbox messages newest first, and their read and
 * dismissed marks. Marking one records an event (`Inbox Message Read`, `Inbox Message Dismissed`) through the
 * engine's normal ingest, so goals, waits and splits can use it; its messageId is derived from the message
 * and the mark, so marking twice (an app retrying) records it once.
 */
import Type from 'typebox';
import type { JourneyEvent } from '../../core/instance.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { NextCursor, paged, PagingQuery } from '../paging.ts';
import { MAX_ID, withErrors } from '../schemas.ts';
import { resolveUserParam } from '../resolve-user.ts';

export const INBOX_EVENTS = { read: 'Inbox Message Read', dismissed: 'Inbox Message Dismissed' } as const;

const InboxMessage = Type.Object({
  id: Type.String(),
  journeyId: Type.String(),
  nodeId: Type.String(),
  title: Type.String(),
  body: Type.String(),
  url: Type.Union([Type.String(), Type.Null()], { description: "The message's link, if it has one" }),
  createdAt: Type.Integer(),
  readAt: Type.Union([Type.Integer(), Type.Null()]),
  dismissedAt: Type.Union([Type.Integer(), Type.Null()]),
});
const UserParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: MAX_ID }) });
const MessageParams = Type.Object({ userId: Type.String({ minLength: 1, maxLength: MAX_ID }), messageId: Type.String({ minLength: 1, maxLength: 1000 }) });
const InboxQuery = Type.Object(
  { ...PagingQuery.properties, dismissed: Type.Boolean({ default: false, description: 'Include the messages the user dismissed' }) },
  { additionalProperties: false },
);

export function inboxRoutes(app: Api, _context: RouteContext): void {
  const tags = ['inbox'];
  app.get(
    '/v1/inbox/:userId',
    {
      config: { access: 'write' },
      preHandler: resolveUserParam,
      schema: {
        tags,
        summary: "A user's in-app inbox, newest first",
        description: 'The messages journeys sent the user on the inbox channel, with when they were read and dismissed; dismissed ones only with dismissed=true. Page with `cursor` = the previous `nextCursor`.',
        params: UserParams,
        querystring: InboxQuery,
        response: withErrors({ 200: Type.Object({ messages: Type.Array(InboxMessage), nextCursor: NextCursor }) }, 400),
      },
    },
    async (request) => {
      const { waymark } = request;
      const { limit, cursor, dismissed } = request.query;
      const page = await paged(() => waymark.store.inboxPage(request.params.userId, { limit, cursor, dismissed }));
      return { messages: page.items, nextCursor: page.nextCursor };
    },
  );

  for (const [mark, event] of Object.entries(INBOX_EVENTS) as Array<[keyof typeof INBOX_EVENTS, string]>) {
    const verb = mark === 'read' ? 'read' : 'dismiss';
    app.post(
      `/v1/inbox/:userId/messages/:messageId/${verb}`,
      {
        config: { access: 'write' },
      preHandler: resolveUserParam,
        schema: {
          tags,
          summary: `Mark a user's inbox message ${mark}`,
          description: `Sets its ${mark}At (the first time; again changes nothing) and records the event "${event}" for the user, with messageId, journeyId and nodeId as properties, for goals, waits and splits. 404 when the user has no such inbox message.`,
          params: MessageParams,
          response: withErrors({ 200: InboxMessage }, 404),
        },
      },
      async (request) => {
        const { waymark } = request;
        const { userId, messageId } = request.params;
        const now = waymark.engine.clock.now();
        const message = await waymark.store.markInbox(userId, messageId, mark, now);
        if (!message) throw new ApiError(404, `${userId} has no inbox message ${messageId}`);
        const at = (mark === 'read' ? message.readAt : message.dismissedAt) ?? now;
        const recorded: JourneyEvent = {
          messageId: `inbox:${mark}:${message.id}`,
          userId,
          name: event,
          timestamp: at,
          properties: { messageId: message.id, journeyId: message.journeyId, nodeId: message.nodeId },
        };
        await waymark.engine.ingest([recorded]);
        return message;
      },
    );
  }
}
