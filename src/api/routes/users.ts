/** One user, seen from every side: profile, events, journeys, messages, and why they got what they got. */
import Type from 'typebox';
import { explainUser } from '../../app/explain.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError } from '../errors.ts';
import { messagePage } from '../message-log.ts';
import { resolveUserParam } from '../resolve-user.ts';
import { NextCursor, paged, PagingQuery } from '../paging.ts';
import { ExplainResult, Instance, MessagePage, PageQuery, Profile, StoredEvent, UserParams, withErrors } from '../schemas.ts';

const tags = ['users'];

export function userRoutes(app: Api, _context: RouteContext): void {

  app.get(
    '/v1/users/:userId',
    {
      config: { access: 'read' },
      preHandler: resolveUserParam,
      schema: {
        tags,
        summary: 'The user’s profile, and when they were first and last seen',
        description:
          'A user with events, journeys or messages but no profile answers `traits: {}` and `updatedAt: null`. `firstSeenAt` and `lastSeenAt` are the earliest and latest timestamps of their stored events (null when none is stored). 404 only for a user the project has never heard of.',
        params: UserParams,
        response: withErrors({ 200: UserView }, 404),
      },
    },
    async (request) => {
      const { userId } = request.params;
      const { store } = request.waymark;
      const [profile, seen] = await Promise.all([store.getProfile(userId), store.userSeen(userId)]);
      if (!profile && !seen) throw new ApiError(404, `no user "${userId}": no profile, events, journeys or messages`);
      return { ...(profile ?? { userId, traits: {}, updatedAt: null }), firstSeenAt: seen?.firstSeenAt ?? null, lastSeenAt: seen?.lastSeenAt ?? null, ...(request.mergedFrom !== undefined ? { mergedFrom: request.mergedFrom } : {}) };
    },
  );

  app.get(
    '/v1/users/:userId/events',
    {
      config: { access: 'read' },
      preHandler: resolveUserParam,
      schema: {
        tags,
        summary: 'The user’s latest events, newest first',
        params: UserParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }, { additionalProperties: false }),
        response: withErrors({ 200: Type.Object({ events: Type.Array(StoredEvent) }) }, 400),
      },
    },
    async (request) => ({ events: await request.waymark.store.userEvents(request.params.userId, request.query.limit) }),
  );

  app.get(
    '/v1/users/:userId/journeys',
    {
      config: { access: 'read' },
      preHandler: resolveUserParam,
      schema: {
        tags,
        summary: 'The user’s journey instances, most recently changed first, a page at a time',
        description: 'A live instance last changed at its latest step, one that is over when it exited. Pass the answer’s `nextCursor` as `cursor` for the next page; it is null on the last page.',
        params: UserParams,
        querystring: Type.Object(PagingQuery.properties, { additionalProperties: false }),
        response: withErrors({ 200: Type.Object({ instances: Type.Array(Instance), nextCursor: NextCursor }) }, 400),
      },
    },
    async (request) => {
      const page = await paged(() => request.waymark.store.userInstancePage(request.params.userId, request.query));
      return { instances: page.items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/users/:userId/messages',
    {
      config: { access: 'read' },
      preHandler: resolveUserParam,
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
      return messagePage(request.waymark.store, { userId: request.params.userId, limit, ...(after !== undefined ? { after } : {}) });
    },
  );

  app.get(
    '/v1/users/:userId/explain',
    {
      config: { access: 'read' },
      preHandler: resolveUserParam,
      schema: {
        tags,
        summary: 'Why the user did or did not get each message',
        description:
          'For each of the user’s journey instances (a page of them, most recently changed first): its status and exit, and for every send node of its version whether the message was sent, skipped (and why), is still to come, or was never reached (and why). Pass the answer’s `nextCursor` as `cursor` for the next page; it is null on the last page.',
        params: UserParams,
        querystring: Type.Object({ journeyId: Type.Optional(Type.String({ minLength: 1 })), ...PagingQuery.properties }, { additionalProperties: false }),
        response: withErrors({ 200: Type.Object({ ...ExplainResult.properties, nextCursor: NextCursor }) }, 400, 404),
      },
    },
    (request) => paged(() => explainUser(request.waymark.store, request.params.userId, request.query)), // 404 for an unknown journey
  );
}

const UserView = Type.Object({
  ...Profile.properties,
  updatedAt: Type.Union([Profile.properties.updatedAt, Type.Null()], { description: 'When the profile was last written; null when the user has none' }),
  firstSeenAt: Type.Union([Type.Integer(), Type.Null()], { description: 'The earliest timestamp of their stored events (ms), or null' }),
  lastSeenAt: Type.Union([Type.Integer(), Type.Null()], { description: 'The latest timestamp of their stored events (ms), or null' }),
  mergedFrom: Type.Optional(Type.String({ description: 'The id asked for, when it was an anonymous id merged into this user (every /v1/users/:userId read follows the merge)' })),
});
