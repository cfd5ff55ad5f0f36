/**
 * CleverTap's upload API, POST /1/upload, for teams whose servers upload events and profiles to CleverTap:
 * the passcode is the write key, the account id is not checked (a Waymark server is one project).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Api, RouteContext } from '../context.ts';
import { clevertapUpload, ClevertapError, ClevertapResult, mapClevertap } from './clevertap-map.ts';
import { inCompatScope, writeMapped } from './compat.ts';

const passcode = (request: FastifyRequest): string | null => {
  const value = request.headers['x-clevertap-passcode'];
  return typeof value === 'string' && value.length > 0 ? value : null;
};

export async function clevertapRoutes(app: Api, { maxBatch }: RouteContext): Promise<void> {
  await inCompatScope(app, (scope) => {
    scope.post(
      '/1/upload',
      {
        config: { access: 'write', ingest: true, keyFrom: { header: passcode, hint: 'the write key as "X-CleverTap-Passcode: <key>"' } },
        onSend: clevertapErrors,
        schema: {
          tags: ['clevertap'],
          summary: 'CleverTap upload: events and profiles',
          description: `{ "d": [...] } of up to ${maxBatch} records. Good records are stored and bad ones listed in "unprocessed" with CleverTap's codes (the answer is still 200). The write key goes in X-CleverTap-Passcode; X-CleverTap-Account-Id is accepted and not checked. Errors of the whole request come as { "status": "fail", "error", "code" }. See docs/integrations.md for the mapping.`,
          security: [{ bearer: [] }, { clevertapPasscode: [] }],
          body: clevertapUpload(maxBatch),
          response: { 200: ClevertapResult, 400: ClevertapError, 401: ClevertapError, 403: ClevertapError, 413: ClevertapError },
        },
      },
      async (request) => {
        const { mapped, unprocessed } = mapClevertap(request.body.d, request.waymark.engine.clock.now());
        await writeMapped(request.waymark, mapped);
        const processed = request.body.d.length - unprocessed.length;
        return { status: processed === 0 && unprocessed.length > 0 ? ('fail' as const) : ('success' as const), processed, unprocessed };
      },
    );
  });
}

/**
 * Rewrites the API's error body ({ error, message, problems }) into CleverTap's ({ status: "fail", error, code }),
 * keeping the problems: errors are made in one place (server.ts) and only their shape differs here.
 */
async function clevertapErrors(_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
  try {
    const body = JSON.parse(payload) as { message?: string; problems?: unknown };
    return JSON.stringify({ status: 'fail', error: body.message ?? 'error', code: reply.statusCode, ...(body.problems ? { problems: body.problems } : {}) });
  } catch {
    return payload;
  }
}
