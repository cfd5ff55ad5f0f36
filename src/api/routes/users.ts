/** One user, seen from every side: profile, events, journeys, messages, and why they got what they got. */
import Type from 'typebox';
import { explainUser } from '../../app/explain.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { messagePage } from '../message-log.ts';
import { ExplainResult, Instance, MessagePage, PageQuery, Profile, StoredEvent, UserParams, withErrors } from '../schemas.ts';

const tags = ['users'];

export function userRoutes(app: Api, { waymark }: RouteContext): void {
  const store = waymark.store;

  app.get('/v1/users/:userId', { schema: { tags, summary: 'The user’s profile', params: UserParams, response: withErrors({ 200: Profile }, 404) } }, async (request) => {
    const profile = await store.getProfile(request.params.userId);
    if (!profile) throw new ApiError(404, `no profile for user "${request.params.userId}"`);
    return profile;
  });

  app.get(
    '/v1/users/:userId/events',
    {
      schema: {
        tags,
        summary: 'The user’s latest events, newest first',
        params: UserParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }),
        response: withErrors({ 200: Type.Object({ events: Type.Array(StoredEvent) }) }, 400),
      },
    },
    async (request) => ({ events: await store.userEvents(request.params.userId, request.query.limit) }),
  );

  app.get(
    '/v1/users/:userId/journeys',
    {
      schema: {
        tags,
        summary: 'The user’s journey instances, most recently changed first',
        params: UserParams,
        response: withErrors({ 200: Type.Object({ instances: Type.Array(Instance) }) }),
      },
    },
    async (request) => ({ instances: await store.userInstances(request.params.userId) }),
  );

  app.get(
    '/v1/users/:userId/messages',
    {
      schema: {
        tags,
        summary: 'The user’s messages, oldest first',
        params: UserParams,
        querystring: Type.Object(PageQuery.properties, { additionalProperties: false }),
        response: withErrors({ 200: MessagePage }, 400),
      },
    },
    (request) => {
      const { after, limit } = request.query;
      return messagePage(store, { userId: request.params.userId, limit, ...(after !== undefined ? { after } : {}) });
    },
  );

  app.get(
    '/v1/users/:userId/explain',
    {
      schema: {
        tags,
        summary: 'Why the user did or did not get each message',
        description: 'For each of the user’s journey instances: its status and exit, and for every send node of its version whether the message was sent, skipped (and why), is still to come, or was never reached (and why).',
        params: UserParams,
        querystring: Type.Object({ journeyId: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
        response: withErrors({ 200: ExplainResult }, 400, 404),
      },
    },
    (request) => explainUser(store, request.params.userId, request.query), // 404 for an unknown journey
  );
}
