/**
 * Dead letters sent again (docs/channels.md, "Dead letters"): one by its id, or every one a filter matches.
 * Only a dead message goes back to pending; a message in any other status is never sent again by these, so
 * nothing delivered is delivered twice. The dispatcher claims the requeued messages at its next round: the
 * engine's poll (every second by default, engine/runtime.ts) in whichever process dispatches, as EngineHandle
 * offers no kick (and on PostgreSQL the dispatching process may be another).
 */
import Type, { type Static } from 'typebox';
import { Channel } from '../../core/channels.ts';
import { Id } from '../../core/schema-parts.ts';
import { MAX_REQUEUE, type DeadLetterFilter, type Message as StoredMessage } from '../../store/store.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError, badRequest, type Problem } from '../errors.ts';
import { MAX_ID, MAX_MESSAGE_ID, Message, withErrors } from '../schemas.ts';
import { MAX_TIMESTAMP, timestampProblem } from '../validation.ts';

const Moment = (description: string) =>
  Type.Optional(
    Type.Union([Type.String({ format: 'date-time' }), Type.Integer({ minimum: 0, maximum: MAX_TIMESTAMP, description: 'Epoch milliseconds' })], {
      description: `${description}: ISO 8601 with offset, or epoch ms`,
    }),
  );

const ResendFilter = Type.Object(
  {
    journeyId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    nodeId: Type.Optional(Id),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_ID })),
    channel: Type.Optional(Channel),
    since: Moment('Only messages created at or after this moment'),
    until: Moment('Only messages created before this moment'),
    dryRun: Type.Optional(Type.Boolean({ description: 'Change nothing: answer how many would be sent again' })),
  },
  { additionalProperties: false },
);

const Requeued = Type.Object({
  requeued: Type.Integer({ minimum: 0, maximum: MAX_REQUEUE, description: `Dead letters made pending again (with dryRun, how many would be); at most ${MAX_REQUEUE.toLocaleString('en')}: when it is that many, send again for the rest` }),
});

export function deadLetterRoutes(app: Api, _context: RouteContext): void {
  app.post(
    '/v1/messages/:id/resend',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['messages'],
        summary: 'Send a dead letter again',
        description:
          'A dead letter (every attempt failed for a passing reason, or an email held in doubt after a crash: reason in_doubt, it may have arrived) goes back to pending, due now, its attempts back to 0 so the retry schedule starts over, and the dispatcher sends it within a second or so. ' +
          'It keeps its id, which the provider gets as its idempotency key (webhook-id, Message-ID, apns-id). A message in any other status is a 409 saying which: only a dead letter is sent again, so nothing delivered is sent twice.',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: MAX_MESSAGE_ID }) }),
        response: withErrors({ 200: Type.Object({ message: Message }) }, 404, 409),
      },
    },
    async (request) => {
      const { waymark } = request;
      const id = request.params.id;
      const requeued = await waymark.store.requeueDeadMessages({ ids: [id] }, waymark.engine.clock.now());
      const message = await waymark.store.getMessage(id);
      if (!message) throw new ApiError(404, `no message "${id}"`);
      // Not requeued: it was not dead (or another request requeued it a moment before: pending now, once).
      if (requeued === 0) throw new ApiError(409, notDead(message));
      return { message };
    },
  );

  app.post(
    '/v1/messages/resend',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['messages'],
        summary: 'Send dead letters again, by journey, node, user, channel and creation time',
        description:
          `Every dead letter matching all the fields given (none: every dead letter) goes back to pending, as POST /v1/messages/{id}/resend does, at most ${MAX_REQUEUE.toLocaleString('en')} a request, the oldest first: ` +
          'when the answer is that many, send the same request again for the rest. Messages in any other status are left as they are. `nodeId` needs `journeyId`; `since` is inclusive, `until` exclusive.',
        body: ResendFilter,
        response: withErrors({ 200: Requeued }, 400),
      },
    },
    async (request) => {
      const { waymark } = request;
      const filter = toFilter(request.body);
      if (request.body.dryRun === true) return { requeued: await waymark.store.countDeadMessages(filter) };
      return { requeued: await waymark.store.requeueDeadMessages(filter, waymark.engine.clock.now()) };
    },
  );
}

/** The store's filter from the body; a 400 naming each field that cannot be one. */
function toFilter(body: Static<typeof ResendFilter>): DeadLetterFilter {
  const problems: Problem[] = [];
  const moment = (value: string | number | undefined, path: string): number | undefined => {
    if (value === undefined) return undefined;
    const ms = typeof value === 'number' ? value : Date.parse(value);
    const problem = Number.isNaN(ms) ? 'is not a date-time this server can read' : timestampProblem(ms);
    if (problem) problems.push({ path, message: problem });
    return ms;
  };
  const since = moment(body.since, '/since');
  const until = moment(body.until, '/until');
  if (since !== undefined && until !== undefined && problems.length === 0 && until <= since) problems.push({ path: '/until', message: 'must be after since' });
  if (body.nodeId !== undefined && body.journeyId === undefined) problems.push({ path: '/nodeId', message: 'needs journeyId: a node id names a node within one journey' });
  if (problems.length > 0) throw badRequest(problems);
  const { dryRun: _, since: __, until: ___, ...fields } = body;
  return { ...fields, ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}

/** Why a message that is not a dead letter is not sent again, in one line. */
function notDead(m: StoredMessage): string {
  const why = m.reason ? ` (${m.reason})` : '';
  const what: Record<StoredMessage['status'], string> = {
    pending: m.attempts > 0 ? `is pending: it is being retried, attempt ${m.attempts + 1} due at ${new Date(m.nextAttemptAt ?? 0).toISOString()}` : 'is pending: it is queued to be sent',
    sent: 'was sent: a message the provider took is never sent twice',
    delivered: 'was delivered: a message the provider took is never sent twice',
    failed: `failed for good${why}: the provider refused it, and would again`,
    skipped: `was skipped${why}: it was never meant to be sent`,
    dead: 'is dead',
    bounced: `bounced${why}: the mail server took it, then reported it undeliverable`,
  };
  return `message "${m.id}" ${what[m.status]}; only a dead letter can be sent again`;
}
