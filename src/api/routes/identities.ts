/**
 * Identity merges through Waymark's own API: an anonymous id tied to the user it turned out to be, as a
 * Segment identify with both ids or an alias does on the compatible routes. The rules are in
 * docs/integrations.md ("Identities").
 */
import Type from 'typebox';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { MAX_ID, withErrors } from '../schemas.ts';

const IdentifyInput = Type.Object(
  {
    anonymousId: Type.String({ minLength: 1, maxLength: MAX_ID, description: 'The id merged: its events, journeys and traits become the user’s, and later events with it are the user’s' }),
    userId: Type.String({ minLength: 1, maxLength: MAX_ID, description: 'The user it is merged into (or the user that one was merged into, followed)' }),
  },
  { additionalProperties: false },
);

const IdentifyResult = Type.Object({
  outcome: Type.Union([Type.Literal('merged'), Type.Literal('unchanged')], { description: 'unchanged: they were one already (merged before, or the same id)' }),
  userId: Type.String({ description: 'The user the anonymous id belongs to now' }),
  events: Type.Integer({ description: 'Events moved to the user' }),
  instances: Type.Integer({ description: 'Journey passes moved to the user (live ones with their timers)' }),
  exited: Type.Integer({ description: 'Passes that left with reason "merged": both were in one journey, the later pass left' }),
});

export function identityRoutes(app: Api, _context: RouteContext): void {
  app.post(
    '/v1/identities',
    {
      config: { access: 'write' },
      schema: {
        tags: ['ingestion'],
        summary: 'Merge an anonymous id into a user',
        description:
          'Queued with the events: events sent before it are taken before the merge and carried over, events after it with only the anonymous id are the user’s. 409 when the anonymous id was merged into another user before (an id is merged once).',
        body: IdentifyInput,
        response: withErrors({ 200: IdentifyResult }, 400, 409),
      },
    },
    async (request) => {
      const { waymark } = request;
      const { anonymousId, userId } = request.body;
      const result = await waymark.engine.identify({ from: anonymousId, into: userId });
      if (result.outcome === 'conflict') throw new ApiError(409, `anonymousId "${anonymousId}" was merged into user "${result.userId}" before; an id is merged once`);
      return { ...result, outcome: result.outcome };
    },
  );
}
