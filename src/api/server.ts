/**
 * The HTTP API: a Fastify instance over a running Waymark. Built here, not started: the caller listens
 * (and may still register more, e.g. a UI: such routes are admin-only unless they say otherwise).
 * Errors and access are handled once, here and in auth.ts, so routes only declare their schema and access
 * level, and throw.
 */
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { ConflictError, InvalidJourneyError, NotFoundError } from '../app/journeys.ts';
import type { Waymark } from '../app/waymark.ts';
import { Projects } from '../app/projects.ts';
import type { EngineHandle } from '../engine/handle.ts';
import { log, type Logger } from '../ops/logger.ts';
import { countingEngine, ServerMetrics } from '../ops/metrics.ts';
import { authHook } from './auth.ts';
import { ProjectRouter, rewriteProjectUrl } from './project-route.ts';
import { DEFAULT_RATE_LIMIT, rateLimitHook, type RateLimit } from './rate-limit.ts';
import { registerDashboard } from './dashboard.ts';
import type { RouteContext } from './context.ts';
import { ApiError, summarize, type Problem } from './errors.ts';
import { registerOpenApi } from './openapi.ts';
import { catalogRoutes } from './routes/catalog.ts';
import { countRequests, metricsRoutes } from './routes/metrics.ts';
import { clevertapRoutes } from './routes/clevertap.ts';
import { copyRoutes } from './routes/copy.ts';
import { eventRoutes } from './routes/events.ts';
import { identityRoutes } from './routes/identities.ts';
import { journeyRoutes } from './routes/journeys.ts';
import { messageRoutes } from './routes/messages.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { keyRoutes } from './routes/keys.ts';
import { projectRoutes } from './routes/projects.ts';
import { nodePreviewRoutes } from './routes/node-preview.ts';
import { previewRoutes } from './routes/preview.ts';
import { healthRoutes, metaRoutes } from './routes/meta.ts';
import { profileRoutes } from './routes/profiles.ts';
import { providerRoutes } from './routes/providers.ts';
import { segmentRoutes } from './routes/segment.ts';
import { trackingRoutes } from './routes/tracking.ts';
import { unsubscribeRoutes } from './routes/unsubscribe.ts';
import { inboxRoutes } from './routes/inbox.ts';
import { twilioRoutes } from './routes/twilio.ts';
import { bounceRoutes } from './routes/bounces.ts';
import { sessionRoutes } from './routes/session.ts';
import { settingsRoutes } from './routes/settings.ts';
import { teamRoutes } from './routes/team.ts';
import { userRoutes } from './routes/users.ts';
import { MAX_PATH_ID } from './schemas.ts';
import { Sessions } from './sessions.ts';
import { SignInLimiter, type SignInLimit } from './sign-in-limit.ts';
import { createValidatorCompiler, problemsOf } from './validation.ts';

export interface ServerOptions {
  /** Where the server logs (default: the process's logger, ops/logger.ts); errors always go there. */
  logger?: Logger;
  /** Log every request and its answer (default false). */
  logRequests?: boolean;
  /** Largest request body in bytes (default 1 MiB); larger ones get 413. */
  bodyLimit?: number;
  /** Most events or profiles in one batch (default 1000). */
  maxBatch?: number;
  /** The built dashboard served at / (default web/dist of the package). */
  dashboardDir?: string;
  /** The bearer token GET /metrics takes besides the admin key (default WAYMARK_METRICS_TOKEN). */
  metricsToken?: string;
  /** Requests per API key (rate-limit.ts; default 500 a second, bursts of 1,000); null: no limit. */
  rateLimit?: RateLimit | null;
  /** The clock of the rate limit (tests). Default Date.now. */
  rateLimitClock?: () => number;
  /** Failed dashboard sign-ins allowed per email and per address (sign-in-limit.ts; default 5 and 20 in 15 minutes). */
  signInLimit?: SignInLimit;
  /** The clock of sessions and of the sign-in limit (tests). Default Date.now. */
  authClock?: () => number;
}

/**
 * `served`: the projects this server serves (app/projects.ts), or one Waymark, served as the default project
 * with no others.
 */
export async function buildServer(served: Waymark<EngineHandle> | Projects, options: ServerOptions = {}): Promise<FastifyInstance> {
  const projects = served instanceof Projects ? served : new Projects(served, null);
  const waymark = projects.main;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  // The router refuses longer path segments (414) before any schema sees them: let through every id a schema
  // allows, counted in UTF-16 units, of which a character outside the BMP (an emoji) takes two.
  const routerOptions = { maxParamLength: 2 * MAX_PATH_ID };
  const app = Fastify({ ...loggingOf(options), bodyLimit, routerOptions, rewriteUrl: rewriteProjectUrl }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(errorHandler(bodyLimit));
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });
  await app.register(cookie); // before the auth hook, which reads the dashboard's session cookie
  const authClock = options.authClock ?? Date.now;
  const sessions = new Sessions(authClock);
  const metrics = new ServerMetrics();
  // The routes' engines count the events they are given (ops/metrics.ts).
  const router = new ProjectRouter(projects, (w, project) => ({ ...w, engine: countingEngine(w.engine, metrics, project) }), authClock);
  app.addHook('onRequest', authHook(router, sessions, authClock));
  const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
  if (rateLimit) app.addHook('onRequest', rateLimitHook(rateLimit, options.rateLimitClock));
  countRequests(app, metrics);
  await registerOpenApi(app);

  const context: RouteContext = { router, maxBatch: options.maxBatch ?? 1000 };
  metaRoutes(app, waymark);
  metricsRoutes(app, projects, metrics, { token: metricsTokenOf(options), store: waymark.store });
  eventRoutes(app, context);
  profileRoutes(app, context);
  identityRoutes(app, context);
  await segmentRoutes(app, context);
  await clevertapRoutes(app, context);
  journeyRoutes(app, context);
  userRoutes(app, context);
  messageRoutes(app, context);
  deadLetterRoutes(app, context);
  catalogRoutes(app, context);
  previewRoutes(app, context);
  nodePreviewRoutes(app, context);
  settingsRoutes(app, context);
  providerRoutes(app, context);
  keyRoutes(app, context);
  projectRoutes(app, context);
  teamRoutes(app, context);
  copyRoutes(app, context);
  unsubscribeRoutes(app, context);
  twilioRoutes(app, context);
  bounceRoutes(app, context);
  inboxRoutes(app, context);
  trackingRoutes(app, context);
  sessionRoutes(app, router, sessions, new SignInLimiter(options.signInLimit, authClock), authClock);
  await registerDashboard(app, options.dashboardDir);
  return app;
}

/**
 * The listener of a worker process: GET /health, GET /ready and GET /metrics (its token or the admin key), nothing else (404). The
 * process's HTTP API is elsewhere (the api role); this is for the orchestrator's probes and the scraper.
 */
export async function buildHealthServer(served: Waymark<EngineHandle> | Projects, options: Pick<ServerOptions, 'logger' | 'logRequests' | 'metricsToken'> = {}): Promise<FastifyInstance> {
  const projects = served instanceof Projects ? served : new Projects(served, null);
  const waymark = projects.main;
  const app = Fastify(loggingOf(options)).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(createValidatorCompiler());
  app.setErrorHandler(errorHandler(1024));
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'Not Found', message: `no route ${request.method} ${request.url.split('?')[0]}: a worker serves only /health, /ready and /metrics` });
  });
  const metrics = new ServerMetrics();
  countRequests(app, metrics);
  healthRoutes(app, waymark);
  metricsRoutes(app, projects, metrics, { token: metricsTokenOf(options), store: waymark.store });
  return app;
}

/** A batch of a thousand bad events would otherwise answer with thousands of lines; the message gives the count. */
const MAX_PROBLEMS = 100;

const metricsTokenOf = (options: Pick<ServerOptions, 'metricsToken'>) => options.metricsToken ?? (process.env.WAYMARK_METRICS_TOKEN || undefined);

/** Fastify logs through the process's logger (or the one given); request lines only when asked for. */
function loggingOf(options: Pick<ServerOptions, 'logger' | 'logRequests'>) {
  const loggerInstance: FastifyBaseLogger = options.logger ?? log();
  return { loggerInstance, logController: new LogController({ disableRequestLogging: options.logRequests !== true }) };
}

/**
 * A write that found the database held past its wait, and rolled back: SQLite's busy timeout ran out (another
 * write held the file longer, such as building the caps index), or PostgreSQL gave up on a serialization or a
 * deadlock. Nothing was stored and the same request later will do, so the client hears 503, which SDKs retry.
 */
function isTransientStoreError(error: { code?: unknown }): boolean {
  const code = error.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code === '40001' || code === '40P01');
}

/** Client errors are answered; anything else is a 500 whose cause is logged (it must never go unseen). */
function errorHandler(bodyLimit: number) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const send = (status: number, message: string, problems?: Problem[]) =>
      reply.code(status).send({ error: STATUS_CODES[status] ?? 'Error', message, ...(problems ? { problems: problems.slice(0, MAX_PROBLEMS) } : {}) });

    if (error.validation) {
      const part = error.validationContext ?? 'body';
      const problems = problemsOf(error.validation as Parameters<typeof problemsOf>[0], part);
      return send(400, summarize(problems, part === 'body' ? 'request body' : part), problems);
    }
    if (error instanceof ApiError) {
      if (error.statusCode === 401) void reply.header('www-authenticate', 'Bearer');
      return send(error.statusCode, error.message, error.problems);
    }
    if (error instanceof InvalidJourneyError) return send(400, error.message, error.problems);
    if (error instanceof NotFoundError) return send(404, error.message);
    if (error instanceof ConflictError) return send(409, error.message);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(413, `request body is larger than the limit of ${request.routeOptions.bodyLimit ?? bodyLimit} bytes; send smaller batches`);
    if (isTransientStoreError(error)) {
      void reply.header('retry-after', '1');
      return send(503, 'the database is busy with another write; nothing was stored, try again');
    }
    // Fastify's own client errors (bad JSON, wrong content type) carry their status and a useful message.
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) return send(error.statusCode, error.message);
    request.log.error({ err: error, req: request }, 'request failed');
    return send(500, 'internal error; see the server log');
  };
}
