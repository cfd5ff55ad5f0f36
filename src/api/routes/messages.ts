/** The outbox and message log, for operators and for polling integrations. */
import Type from 'typebox';
import type { Api, RouteContext } from '../context.ts';
import { messagePage } from '../message-log.ts';
import { ApiError } from '../errors.ts';
import { MAX_MESSAGE_ID, MessagePage, PageQuery, withErrors } from '../schemas.ts';

const MessagesQuery = Type.Object(
  {
    ...PageQuery.properties,
    journeyId: Type.Optional(Type.String({ minLength: 1 })),
    userId: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export function messageRoutes(app: Api, { waymark }: RouteContext): void {
  app.get(
    '/v1/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'The message log, oldest first',
        description: 'Page with `after` = the previous answer’s `next`; an empty page means you are at the end (poll again later with the same `next`).',
        querystring: MessagesQuery,
        response: withErrors({ 200: MessagePage }, 400),
      },
    },
    (request) => {
      const { after, limit, journeyId, userId } = request.query;
      return messagePage(waymark.store, {
        limit,
        ...(after !== undefined ? { after } : {}),
        ...(journeyId !== undefined ? { journeyId } : {}),
        ...(userId !== undefined ? { userId } : {}),
      });
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
          'For the app or a link redirector to call when the recipient opens the message. The first click counts (later ones change nothing); splits on the "clicked" outcome read it.',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_ID }) }),
        response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 404),
      },
    },
    async (request) => {
      const id = request.params.id;
      if (!(await waymark.store.recordClick(id, waymark.engine.clock.now()))) throw new ApiError(404, `no message "${id}"`);
      return { ok: true };
    },
  );
}
