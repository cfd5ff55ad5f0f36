/**
 * What the compatible ingestion routes (Segment and RudderStack in segment.ts, CleverTap in clevertap.ts)
 * share: they live in a scope of their own where any content type is read as JSON and gzip bodies are
 * decoded (the vendors' SDKs send both), keys are taken where those SDKs put them, and what a request maps to
 * is written through the engine.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ErrorObject } from 'ajv';
import type { TSchema } from 'typebox';
import type { FastifyInstance, FastifyRequest, FastifySchema, preParsingAsyncHookHandler } from 'fastify';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { Waymark } from '../../app/waymark.ts';
import type { EngineHandle } from '../../engine/handle.ts';
import type { JourneyEvent } from '../../core/instance.ts';
import type { IdentityMerge, IngestResult, ProfileUpsert } from '../../store/store.ts';
import type { ProjectRouter } from '../project-route.ts';
import type { Api } from '../context.ts';
import { ApiError, type Problem } from '../errors.ts';
import { Traits } from '../schemas.ts';
import { createValidatorCompiler, problemsOf } from '../validation.ts';

/** What a request of another vendor's API comes to in Waymark's terms. */
export interface Mapped {
  events: JourneyEvent[];
  /** Trait patches, at most one per user, applied before the events so journeys they start see the traits. */
  profiles: ProfileUpsert[];
  /** Identity merges in request order, each taken after the first `before` events (identify, alias). */
  merges?: Array<IdentityMerge & { before: number }>;
}

/**
 * Registers `routes` in a scope of its own, so its body parsing does not leak to the rest of the API: every
 * content type is JSON (RudderStack's SDK posts gzip with axios's form content type), and gzip is decoded.
 */
export async function inCompatScope(app: Api, routes: (scope: Api) => void): Promise<void> {
  await app.register(async (plain: FastifyInstance) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>() as unknown as Api;
    scope.removeAllContentTypeParsers();
    // The same parser as application/json elsewhere: prototype poisoning refused.
    scope.addContentTypeParser('*', { parseAs: 'string' }, scope.getDefaultJsonParser('error', 'error'));
    scope.addHook('preParsing', gunzipBody);
    routes(scope);
  });
}

/**
 * Decodes a gzip body as it streams in. Fastify's body limit then counts the decoded bytes, so a small
 * compressed body cannot expand without bound (a "zip bomb" gets 413).
 */
const gunzipBody: preParsingAsyncHookHandler = async (request, _reply, payload) => {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity') return payload;
  if (encoding !== 'gzip' && encoding !== 'x-gzip') throw new ApiError(415, `Content-Encoding "${encoding}" is not supported: send gzip or no encoding`);
  const gunzip: Gunzip & { receivedEncodedLength?: number } = createGunzip();
  let encoded = 0;
  // Fastify compares the bytes received with Content-Length through this property of the stream it reads.
  payload.on('data', (chunk: Buffer) => (gunzip.receivedEncodedLength = encoded += chunk.length));
  payload.on('error', (error) => gunzip.destroy(error));
  gunzip.on('error', (error: Error & { statusCode?: number }) => {
    if (error.statusCode === undefined) {
      error.statusCode = 400;
      error.message = `the body is not valid gzip (it was sent with Content-Encoding: gzip): ${error.message}`;
    }
  });
  return payload.pipe(gunzip);
};

/** The user name of "Authorization: Basic base64(user:password)", where Segment's and RudderStack's SDKs put the write key. */
export function basicUser(header: string | undefined): string | null {
  const match = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  // Segment documents "key:" (an empty password) and still takes a key sent without the colon.
  const user = decoded.split(':')[0]!;
  return user.length > 0 ? user : null;
}

export const basicAuthKey = (request: FastifyRequest): string | null => basicUser(request.headers.authorization);

/**
 * For routes whose key may come in the body (Segment's `writeKey`): when no header carried one, checks the
 * parsed body's. The body is read first, bounded by the route's body limit.
 */
export function bodyKeyCheck(router: ProjectRouter): (request: FastifyRequest) => Promise<void> {
  return async (request: FastifyRequest) => {
    if (request.keyKind !== undefined) return; // a header or the dashboard session already decided
    const body = request.body as { writeKey?: unknown } | null | undefined;
    const key = body !== null && typeof body === 'object' && typeof body.writeKey === 'string' ? body.writeKey : null;
    if (key === null) {
      throw new ApiError(401, 'missing API key: send HTTP Basic with the write key as the user name, "Authorization: Bearer <key>", or "writeKey" in the body');
    }
    const found = await router.findKey(key);
    if (found === null) throw new ApiError(401, 'invalid API key');
    router.accept(request, found, false);
  };
}

/**
 * Writes what a request mapped to: profiles, then events and identity merges in request order (resolving once
 * they are committed with what they caused). Not one unit of work: if the events fail, the profiles stay; a
 * client's retry then merges the same traits again, the events are deduplicated and a merge done is a no-op,
 * so a retried request ends in the same state. The events and merges are queued without waiting between
 * them, so the engine takes them in this order (a merge's outcome is not reported: see docs/integrations.md).
 */
export async function writeMapped(waymark: Waymark<EngineHandle>, { events, profiles, merges = [] }: Mapped): Promise<IngestResult> {
  if (profiles.length > 0) await waymark.engine.upsertProfiles(profiles);
  const ingests: Array<Promise<IngestResult>> = [];
  const done: Array<Promise<unknown>> = [];
  let at = 0;
  const ingestUpTo = (end: number) => {
    if (end > at) ingests.push(waymark.engine.ingest(events.slice(at, end)));
    at = end;
  };
  for (const { before, from, into } of merges) {
    ingestUpTo(before);
    done.push(waymark.engine.identify({ from, into }));
  }
  ingestUpTo(events.length);
  const [results] = await Promise.all([Promise.all(ingests), ...done]);
  return results.reduce((sum, r) => ({ accepted: sum.accepted + r.accepted, duplicates: sum.duplicates + r.duplicates }), { accepted: 0, duplicates: 0 });
}

/** Trait patches gathered in request order; a later patch of the same user overrides an earlier one's keys. */
export class ProfilePatches {
  private readonly byUser = new Map<string, Record<string, unknown>>();

  add(userId: string, traits: Record<string, unknown>): void {
    this.byUser.set(userId, { ...this.byUser.get(userId), ...traits });
  }

  list(): ProfileUpsert[] {
    return [...this.byUser].map(([userId, traits]) => ({ userId, traits }));
  }
}

/** A check of values against `schema` by the API's own rules, its problems put under a JSON pointer. */
export function schemaProblems(schema: TSchema): (value: unknown, path: string) => Problem[] {
  const check = createValidatorCompiler()({ schema: schema as FastifySchema, httpPart: 'body', method: 'POST', url: '' }) as unknown as ((value: unknown) => boolean) & {
    errors: ErrorObject[] | null;
  };
  // A problem of the value itself is at "/", which under `path` is `path`.
  const under = (path: string, at: string) => (at === '/' ? path : `${path}${at}`);
  return (value, path) => (check(value) ? [] : problemsOf(check.errors ?? [], 'body').map((problem) => ({ ...problem, path: under(path, problem.path) })));
}

/** The problems of a trait patch by the rules of POST /v1/profiles (addresses are strings, the zone is real). */
export const traitProblems = schemaProblems(Traits);
