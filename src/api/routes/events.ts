/** Event ingestion: the write path into the engine. */
import { randomUUID } from 'node:crypto';
import type { JourneyEvent } from '../../core/instance.ts';
import type { Api, RouteContext } from '../context.ts';
import { badRequest, type Problem } from '../errors.ts';
import { EventInput, IngestResult, oneOrBatch, withErrors } from '../schemas.ts';
import { timestampProblem } from '../validation.ts';

export function eventRoutes(app: Api, { maxBatch }: RouteContext): void {
  app.post(
    '/v1/events',
    {
      config: { access: 'write', ingest: true },
      schema: {
        tags: ['ingestion'],
        summary: 'Send one event, or a batch of them',
        description: `One event object, or { "batch": [...] } of up to ${maxBatch}. A batch with any bad event is refused whole (400, nothing stored). Events are deduplicated on messageId: send one so retries are safe.`,
        body: oneOrBatch(EventInput, maxBatch),
        response: withErrors({ 200: IngestResult }, 400, 413),
      },
    },
    async (request) => {
      const { waymark } = request;
      const body = request.body;
      const batch = 'batch' in body;
      const items = batch ? body.batch : [body];
      const now = waymark.engine.clock.now();
      const problems: Problem[] = [];
      const events = items.map((item, i) => toJourneyEvent(item, now, batch ? `/batch/${i}` : '', problems));
      if (problems.length > 0) throw badRequest(problems);
      // Resolves once committed, with everything the events caused (entries, exits, queued messages).
      return waymark.engine.ingest(events);
    },
  );
}

function toJourneyEvent(input: EventInput, now: number, path: string, problems: Problem[]): JourneyEvent {
  let timestamp = now;
  if (typeof input.timestamp === 'number') timestamp = input.timestamp;
  else if (typeof input.timestamp === 'string') {
    timestamp = Date.parse(input.timestamp);
    // The schema's date-time format admits a few strings Date cannot read (e.g. a leap second), and years
    // before 1970; the epoch-ms form has the same range in the schema.
    if (Number.isNaN(timestamp)) problems.push({ path: `${path}/timestamp`, message: 'is not a date-time this server can read' });
    else {
      const problem = timestampProblem(timestamp);
      if (problem) problems.push({ path: `${path}/timestamp`, message: problem });
    }
  }
  return {
    messageId: input.messageId ?? randomUUID(),
    userId: input.userId,
    name: input.event,
    timestamp,
    properties: (input.properties ?? {}) as Record<string, unknown>,
  };
}
