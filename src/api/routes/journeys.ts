/** Journey management: drafts, versions, the lifecycle, and stats. Admin only. */
import { InvalidJourneyError } from '../../app/journeys.ts';
import { journeySeries, MAX_HOURLY_DAYS } from '../../app/series.ts';
import { journeyStats } from '../../app/stats.ts';
import { backtest, MAX_BACKTEST_EVENTS } from '../../sim/backtest.ts';
import Type from 'typebox';
import type { Api, RouteContext } from '../context.ts';
import { badRequest, type Problem } from '../errors.ts';
import { NextCursor, paged, PagingQuery } from '../paging.ts';
import {
  BacktestBody,
  BacktestView,
  CreateJourneyBody,
  JourneyList,
  JourneyParams,
  JourneyRecord,
  PublishBody,
  PublishResult,
  SeriesQuery,
  SeriesView,
  StatsView,
  StopResult,
  UpdateJourneyBody,
  ValidateJourneyBody,
  ValidateResult,
  VersionList,
  withErrors,
} from '../schemas.ts';

const tags = ['journeys'];

export function journeyRoutes(app: Api, _context: RouteContext): void {
  app.get(
    '/v1/journeys',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'List journeys, in creation order, a page at a time',
        description: 'Pass the answer’s `nextCursor` as `cursor` for the next page; it is null on the last page.',
        querystring: Type.Object(PagingQuery.properties, { additionalProperties: false }),
        response: withErrors({ 200: Type.Object({ ...JourneyList.properties, nextCursor: NextCursor }) }, 400),
      },
    },
    async (request) => {
      const page = await paged(() => request.waymark.journeys.listPage(request.query));
      return { journeys: page.items, nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/journeys',
    {
      config: { access: 'edit' },
      schema: {
        tags,
        summary: 'Create a journey (a draft)',
        description: 'The id defaults to a slug of the definition’s name. The definition is validated in full; every problem is listed with its path in the body.',
        body: CreateJourneyBody,
        response: withErrors({ 201: JourneyRecord }, 400, 409),
      },
    },
    async (request, reply) => {
      const { id, definition, layout } = request.body;
      const created = await inBody(() => request.waymark.journeys.create({ definition, ...(id !== undefined ? { id } : {}), ...(layout !== undefined ? { layout } : {}) }));
      return reply.code(201).send(created);
    },
  );

  app.post(
    '/v1/journeys/validate',
    {
      config: { access: 'edit' },
      schema: {
        tags,
        summary: 'Check a definition without saving it',
        description:
          '`problems` are what saving would refuse. A valid definition also gets `checks`: what publishing it would find (errors refuse the publish, warnings do not).',
        body: ValidateJourneyBody,
        response: withErrors({ 200: ValidateResult }, 400),
      },
    },
    async (request) => {
      // Through the service, so this answers exactly what saving, then publishing, the definition would.
      try {
        const { errors, warnings } = await request.waymark.journeys.check(request.body.definition, request.body.id);
        const checks = [...errors.map((p) => ({ ...p, severity: 'error' as const })), ...warnings.map((p) => ({ ...p, severity: 'warning' as const }))];
        return { valid: true, problems: [], checks: underDefinition(checks) };
      } catch (error) {
        if (error instanceof InvalidJourneyError) return { valid: false, problems: underDefinition(error.problems) };
        throw error;
      }
    },
  );

  app.get('/v1/journeys/:id', { config: { access: 'read' }, schema: { tags, summary: 'Get a journey and its draft', params: JourneyParams, response: withErrors({ 200: JourneyRecord }, 404) } }, (request) =>
    request.waymark.journeys.view(request.params.id),
  );

  app.put(
    '/v1/journeys/:id',
    {
      config: { access: 'edit' },
      schema: {
        tags,
        summary: 'Replace the draft',
        description: 'Users already inside keep the version they entered; the draft takes effect on the next publish.',
        params: JourneyParams,
        body: UpdateJourneyBody,
        response: withErrors({ 200: JourneyRecord }, 400, 404),
      },
    },
    (request) => {
      const { definition, layout } = request.body;
      return inBody(() => request.waymark.journeys.update(request.params.id, { definition, ...(layout !== undefined ? { layout } : {}) }));
    },
  );

  app.get(
    '/v1/journeys/:id/versions',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'List published versions, oldest first, a page at a time',
        description: 'Pass the answer’s `nextCursor` as `cursor` for the next page; it is null on the last page.',
        params: JourneyParams,
        querystring: Type.Object(PagingQuery.properties, { additionalProperties: false }),
        response: withErrors({ 200: Type.Object({ ...VersionList.properties, nextCursor: NextCursor }) }, 400, 404),
      },
    },
    async (request) => {
      const page = await paged(() => request.waymark.journeys.versionPage(request.params.id, request.query));
      return { versions: page.items, nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/journeys/:id/publish',
    {
      config: { access: 'edit' },
      schema: {
        tags,
        summary: 'Publish the draft as the next version and run it',
        description:
          'New entries take the new version; users in flight stay on theirs. The draft is validated again and the publish checks run ' +
          '(see docs/journeys.md, "Publishing"): any error refuses the publish with 400 and every problem listed, each path pointing into ' +
          'the draft under /definition; warnings do not block and come back in `warnings`, with paths of the same form.',
        params: JourneyParams,
        body: PublishBody,
        response: withErrors({ 200: PublishResult }, 400, 404, 409),
      },
      // The body is optional: no body means the defaults.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const moveUsers = request.body?.moveUsers ?? false;
      const published = await inBody(() => request.waymark.journeys.publish(request.params.id, { moveUsers }));
      return { ...published, warnings: underDefinition(published.warnings) };
    },
  );

  const lifecycle = { params: JourneyParams, response: withErrors({ 200: JourneyRecord }, 404, 409) };
  app.post('/v1/journeys/:id/pause', { config: { access: 'edit' }, schema: { tags, summary: 'Pause: no new entries, users inside continue', ...lifecycle } }, (request) =>
    request.waymark.journeys.pause(request.params.id),
  );
  app.post('/v1/journeys/:id/resume', { config: { access: 'edit' }, schema: { tags, summary: 'Resume a paused journey', ...lifecycle } }, (request) => request.waymark.journeys.resume(request.params.id));
  app.post(
    '/v1/journeys/:id/stop',
    { config: { access: 'edit' }, schema: { tags, summary: 'Stop for good: no new entries and everyone inside exits', params: JourneyParams, response: withErrors({ 200: StopResult }, 404, 409) } },
    (request) => request.waymark.journeys.stop(request.params.id),
  );

  app.get(
    '/v1/journeys/:id/stats',
    { config: { access: 'read' }, schema: { tags, summary: 'Funnel, conversion and per-node counts', params: JourneyParams, response: withErrors({ 200: StatsView }, 404) } },
    (request) => journeyStats(request.waymark.store, request.params.id),
  );

  app.get(
    '/v1/journeys/:id/series',
    {
      config: { access: 'read' },
      schema: {
        tags,
        summary: 'Entries and conversions per day or hour, in the project’s time zone',
        description:
          `The last \`days\` local days (1-90), or with \`bucket=hour\` the last \`days\` * 24 local hours (days 1-${MAX_HOURLY_DAYS}), the current one last. ` +
          'Users count where they entered (entered, or control when held out) and conversions where they converted, whenever the user had entered; ' +
          'every version of the journey. Empty buckets are zeros.',
        params: JourneyParams,
        querystring: SeriesQuery,
        response: withErrors({ 200: SeriesView }, 400, 404),
      },
    },
    (request) => {
      const { days, bucket } = request.query;
      if (bucket === 'hour' && days > MAX_HOURLY_DAYS) {
        throw badRequest([{ path: '/days', message: `must be at most ${MAX_HOURLY_DAYS} with bucket=hour`, in: 'querystring' }], 'querystring');
      }
      return journeySeries(request.waymark.store, request.params.id, { days, bucket, now: request.waymark.engine.clock.now() });
    },
  );

  app.post(
    '/v1/journeys/:id/backtest',
    {
      config: { access: 'edit' },
      schema: {
        tags,
        summary: 'Replay a definition over the recent events: what it would have done',
        description:
          'Runs `definition` (default: the journey’s draft) as this journey over the events recorded in the last `days` days (1-90) and their ' +
          'users’ profiles as stored now, through the engine `waymark simulate` uses, on a virtual clock and a throwaway database: nothing is ' +
          'written to the project and nothing is sent. Answers that run’s stats, in the shape of GET /v1/journeys/:id/stats, as they stand ' +
          `at the end of the window. At most ${MAX_BACKTEST_EVENTS.toLocaleString('en')} events are read (the first received; \`truncated\` says so). ` +
          'A definition that does not validate, or would not publish, is refused with 400 and every problem listed, paths under /definition as ' +
          'in POST /v1/journeys/validate. One backtest runs at a time (409 meanwhile); a large one takes minutes.',
        params: JourneyParams,
        body: BacktestBody,
        response: withErrors({ 200: BacktestView }, 400, 404, 409),
      },
    },
    (request) => {
      const { days, definition } = request.body;
      return inBody(() => backtest(request.waymark, request.params.id, { days, ...(definition !== undefined ? { definition } : {}) }));
    },
  );
}

/** The service reports paths inside the definition; a client needs them inside the body it sent. */
async function inBody<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof InvalidJourneyError) throw badRequest(underDefinition(error.problems), 'journey definition');
    throw error;
  }
}

function underDefinition<P extends Problem>(problems: P[]): P[] {
  return problems.map((p) => ({ ...p, path: `/definition${p.path === '/' ? '' : p.path}` }));
}
