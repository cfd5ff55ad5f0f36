/**
 * GET /metrics: Prometheus text (ops/metrics.ts), for a bearer token: WAYMARK_METRICS_TOKEN (a scraper's own
 * token, so it needs no admin key) or the admin key; anything else is 401. Also counts what the figures need:
 * every answered request by route and status class, and the events of refused ingest requests.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Waymark } from '../../app/waymark.ts';
import type { EngineHandle } from '../../engine/handle.ts';
import type { ServerMetrics } from '../../ops/metrics.ts';
import { exposition, PROMETHEUS_CONTENT_TYPE } from '../../ops/prometheus.ts';
import type { Store } from '../../store/store.ts';
import { bearerToken, cachedKeys, keyKind } from '../auth.ts';
import type { Api } from '../context.ts';
import { ApiError } from '../errors.ts';
import { DEFAULT_PROJECT } from '../../app/projects.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** An ingest route: the events of a refused request count as rejected. */
    ingest?: boolean;
  }
}

/** Counts answered requests, and the events of refused ingest requests. Registered before the routes, so it sees them all. */
export function countRequests(app: Api, metrics: ServerMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.answered(request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched'), request.method, reply.statusCode);
    if (request.routeOptions.config?.ingest && (reply.statusCode === 400 || reply.statusCode === 413)) metrics.rejected(request.project ?? DEFAULT_PROJECT, eventsIn(request.body));
  });
}

/** A refused body's events: its batch's, or one (a single event, or a body too large or bad to read). */
function eventsIn(body: unknown): number {
  const batch = body !== null && typeof body === 'object' ? (body as { batch?: unknown; d?: unknown }).batch ?? (body as { d?: unknown }).d : undefined;
  return Array.isArray(batch) ? Math.max(1, batch.length) : 1;
}

/** The projects a process reports on: those open in it. */
export interface MeasuredProjects {
  openProjects(): Array<[string, Waymark<EngineHandle>]>;
}

export function metricsRoutes(app: Api, projects: MeasuredProjects, metrics: ServerMetrics, options: { token?: string | undefined; store: Pick<Store, 'listApiKeys'> }): void {
  const keys = cachedKeys(options.store);
  const token = options.token ? Buffer.from(options.token) : null;
  const allowed = async (sent: string | null) => {
    if (sent === null) return false;
    const given = Buffer.from(sent);
    if (token !== null && given.length === token.length && timingSafeEqual(given, token)) return true;
    return (await keyKind(keys, sent)) === 'admin';
  };
  app.get(
    '/metrics',
    {
      // Checked here: the scraper's token is no API key.
      config: { access: 'public' },
      schema: {
        tags: ['meta'],
        summary: 'Metrics (Prometheus text format)',
        description: 'Per project (label `project`): ingest counts, queue depth and engine lag, sends by channel and status, errors; and for the process: HTTP requests, memory. "Authorization: Bearer <token>" with WAYMARK_METRICS_TOKEN or the admin key. See docs/operations.md.',
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      if (!(await allowed(bearerToken(request.headers.authorization)))) {
        throw new ApiError(401, 'GET /metrics needs "Authorization: Bearer <token>" with the WAYMARK_METRICS_TOKEN or the admin key');
      }
      const figures = await Promise.all(
        projects.openProjects().map(async ([project, waymark]) => {
          const now = waymark.engine.clock.now();
          const [depth, engine] = await Promise.all([waymark.store.queueDepth(now), waymark.engine.counters()]);
          return { project, now, depth, engine };
        }),
      );
      const text = exposition(metrics.families({ projects: figures, memory: process.memoryUsage() }));
      return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
    },
  );
}
