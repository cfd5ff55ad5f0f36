/**
 * Segment's HTTP Tracking API, which RudderStack's SDKs speak too: /v1/track, /v1/identify, /v1/page,
 * /v1/screen, /v1/group, /v1/alias and /v1/batch, so their unmodified SDKs can point at Waymark.
 */
import type { Api, RouteContext } from '../context.ts';
import { badRequest, type Problem } from '../errors.ts';
import { withErrors } from '../schemas.ts';
import { basicAuthKey, bodyKeyCheck, inCompatScope, writeMapped } from './compat.ts';
import { mapSegment, MAX_BATCH_BYTES, MAX_MESSAGE_BYTES, SEGMENT_TYPES, segmentBatch, SegmentMessage, SegmentResult, toMillis } from './segment-map.ts';
import type { Waymark } from '../../app/waymark.ts';
import type { EngineHandle } from '../../engine/handle.ts';

const SUMMARIES = {
  track: 'Segment track: an event',
  identify: "Segment identify: traits merged into the user's profile; with anonymousId and userId, the anonymous id merged into the user",
  page: 'Segment page: a "Viewed <name> Page" event',
  screen: 'Segment screen: a "Viewed <name> Screen" event',
  group: 'Segment group: accepted, not stored',
  alias: 'Segment alias: previousId merged into userId, recorded as an "Alias" event',
} as const;

const AUTH = 'The write key as HTTP Basic user name (empty password), as a bearer token, or as "writeKey" in the body. Bodies may be gzip (Content-Encoding: gzip) and are read as JSON whatever their content type.';

export async function segmentRoutes(app: Api, { router, maxBatch }: RouteContext): Promise<void> {
  const config = { access: 'write' as const, keyFrom: { header: basicAuthKey, body: true }, ingest: true };
  const preValidation = bodyKeyCheck(router);
  const serverLimit = app.initialConfig.bodyLimit ?? 1024 * 1024;
  const security: Array<Record<string, string[]>> = [{ bearer: [] }, { writeKeyBasic: [] }];
  const respond = async (waymark: Waymark<EngineHandle>, mapped: ReturnType<typeof mapSegment>) => {
    if (mapped.problems.length > 0) throw badRequest(mapped.problems);
    await writeMapped(waymark, mapped.mapped);
    return { success: true as const }; // Segment's answer: the SDKs retry anything else
  };

  await inCompatScope(app, (scope) => {
    for (const type of SEGMENT_TYPES) {
      scope.post(
        `/v1/${type}`,
        {
          config,
          preValidation,
          bodyLimit: Math.min(serverLimit, MAX_MESSAGE_BYTES),
          schema: {
            tags: ['segment'],
            summary: SUMMARIES[type],
            description: `One ${type} call in Segment's shape, at most ${MAX_MESSAGE_BYTES} bytes. ${AUTH} See docs/integrations.md for the mapping.`,
            security,
            body: SegmentMessage,
            response: withErrors({ 200: SegmentResult }, 400, 413),
          },
        },
        async (request) => respond(request.waymark, mapSegment({ messages: [request.body], routeType: type, receivedAt: request.waymark.engine.clock.now() })),
      );
    }

    scope.post(
      '/v1/batch',
      {
        config,
        preValidation,
        bodyLimit: Math.min(serverLimit, MAX_BATCH_BYTES),
        schema: {
          tags: ['segment'],
          summary: 'Segment batch: several calls of any type (what the Segment and RudderStack SDKs send)',
          description: `{ "batch": [...] } of up to ${maxBatch} calls, each with its "type", at most ${MAX_MESSAGE_BYTES} bytes each and ${MAX_BATCH_BYTES} bytes in all. A batch with any bad call is refused whole (400, nothing stored). ${AUTH}`,
          security,
          body: segmentBatch(maxBatch),
          response: withErrors({ 200: SegmentResult }, 400, 413),
        },
      },
      async (request) => {
        const { waymark } = request;
        const { batch, context, sentAt } = request.body;
        const batchSentAt = sentAt === undefined ? undefined : toMillis(sentAt);
        const problems: Problem[] = Number.isNaN(batchSentAt) ? [{ path: '/sentAt', message: 'is not a date-time this server can read' }] : [];
        const mapped = mapSegment({ messages: batch, batchContext: context, batchSentAt: problems.length > 0 ? undefined : batchSentAt, receivedAt: waymark.engine.clock.now() });
        return respond(waymark, { ...mapped, problems: [...problems, ...mapped.problems] });
      },
    );
  });
}
