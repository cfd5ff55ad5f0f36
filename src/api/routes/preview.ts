/** The composer's preview: a message rendered for a real user and their latest event. */
import Type from 'typebox';
import { contentProblems, EVENT_LOOKBACK, previewMessage, PreviewResult } from '../../app/preview.ts';
import { Channel } from '../../core/channels.ts';
import { Message } from '../../core/nodes/send.ts';
import { EventName } from '../../core/schema-parts.ts';
import type { Api, RouteContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { UserParams, withErrors } from '../schemas.ts';

const PreviewBody = Type.Object(
  {
    channel: Channel,
    content: Message,
    userId: UserParams.properties.userId,
    event: Type.Optional(EventName),
  },
  { additionalProperties: false },
);

export function previewRoutes(app: Api, _context: RouteContext): void {
  app.post(
    '/v1/preview',
    {
      config: { access: 'edit' },
      schema: {
        tags: ['journeys'],
        summary: 'Render a message for a user, as sending would',
        description:
          "The channel's content fields (as a send node's `message`) rendered with the user's profile as Profile and their latest event of the name given (else their latest event; " +
          `among their newest ${EVENT_LOOKBACK}) as Event, by the same sandboxed Liquid as the send step. A template that fails is a problem naming its field, not an error; ` +
          'a field the channel does not have, or an unknown channel, is a 400.',
        body: PreviewBody,
        response: withErrors({ 200: PreviewResult }, 400, 413),
      },
    },
    async (request) => {
      const { waymark } = request;
      const { channel, content, userId, event } = request.body;
      const problems = contentProblems(channel, content);
      if (problems.length > 0) throw badRequest(problems);
      return previewMessage(waymark.store, { channel, content, userId, event });
    },
  );
}
