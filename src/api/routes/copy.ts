/**
 * The copy assistant (admin): its model's settings (the key write-only), suggestions of copy checked before
 * they are shown, and the audit log of every call to the model. With no model set, a suggestion is a 409
 * saying how to set one; the rest of the API does not change. The provider's failures are 429 (with its
 * Retry-After), or 424 Failed Dependency naming it and what went wrong: never a 5xx.
 */
import { STATUS_CODES } from 'node:http';
import Type from 'typebox';
import { KEEP_DAYS, KEEP_ENTRIES } from '../../copy/audit.ts';
import { copyFields } from '../../copy/checks.ts';
import { CopyProviderSettings, CopyProviderView, copySettingsToKeep, redactedCopySettings } from '../../copy/settings.ts';
import { suggestCopy } from '../../copy/suggest.ts';
import { Channel, channelSpec } from '../../core/channels.ts';
import { EventName } from '../../core/schema-parts.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError, badRequest } from '../errors.ts';
import { NextCursor, paged, PagingQuery } from '../paging.ts';
import { withErrors } from '../schemas.ts';

export const MAX_VARIANTS = 5;

export const NOT_CONFIGURED =
  'the copy assistant has no language model: set one with PUT /v1/copy/provider (baseUrl, model, apiKey) or in the dashboard under Settings → Copy assistant; any server that speaks the OpenAI chat-completions API will do (see docs/copy-assistant.md)';

const SuggestBody = Type.Object(
  {
    channel: Channel,
    n: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_VARIANTS, description: 'How many variants to ask for. Default 3' })),
    tone: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'e.g. "friendly", "urgent", "playful". Default "friendly"' })),
    language: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'The language to write in. Default English' })),
    goal: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: "The journey's goal: what the message should make the user do" })),
    event: Type.Optional(EventName),
    notes: Type.Optional(Type.String({ minLength: 1, maxLength: 1_000, description: 'Anything else the model should know: the offer, the product, what to avoid' })),
  },
  { additionalProperties: false },
);

const Problem = Type.Object({ field: Type.String({ description: 'The field, or "" for the variant as a whole' }), message: Type.String() });

const SuggestAnswer = Type.Object({
  model: Type.String(),
  variants: Type.Array(
    Type.Object({
      content: Type.Record(Type.String(), Type.String(), { description: "The channel's copy fields, as a send node's `message` holds them" }),
      repaired: Type.Boolean({ description: 'It failed a check the first time and the model fixed it' }),
    }),
    { description: 'Each one passed every check' },
  ),
  dropped: Type.Array(Type.Object({ content: Type.Record(Type.String(), Type.Unknown()), problems: Type.Array(Problem) }), {
    description: 'Variants that failed the checks even after one repair round, with why',
  }),
  names: Type.Object({ profile: Type.Array(Type.String()), event: Type.Array(Type.String()) }, { description: 'The names the checks knew' }),
});

const LogEntry = Type.Object({
  seq: Type.Integer(),
  at: Type.Integer({ description: 'Epoch milliseconds' }),
  outcome: Type.String({ description: "'ok', or refused, rate_limited, provider_error, timeout, malformed, unreachable" }),
  model: Type.String(),
  request: Type.Record(Type.String(), Type.Unknown(), { description: 'What was sent: model, messages, temperature, stream (never the key)' }),
  response: Type.Union([Type.String(), Type.Null()], { description: 'The answer as received (the raw stream when streamed), cut to 64 kB' }),
  detail: Type.Union([Type.String(), Type.Null()]),
});

export function copyRoutes(app: Api, _context: RouteContext): void {
  const tags = ['copy'];

  app.get(
    '/v1/copy/provider',
    { config: { access: 'read' }, schema: { tags, summary: "The copy assistant's language model (the key never shown)", response: withErrors({ 200: CopyProviderView }) } },
    async (request) => {
      const { store } = request.waymark;
      const record = await store.getCopyProvider();
      return record ? { configured: true, settings: redactedCopySettings(record.config), updatedAt: record.updatedAt } : { configured: false, settings: {}, updatedAt: null };
    },
  );

  app.put(
    '/v1/copy/provider',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Set the copy assistant's language model",
        description: 'Any server that speaks the OpenAI chat-completions API: a hosted one, or a local one (Ollama, llama.cpp, vLLM). Replaces the settings; an apiKey left out is kept.',
        body: CopyProviderSettings,
        response: withErrors({ 200: CopyProviderView }, 400),
      },
    },
    async (request) => {
      const { waymark } = request;
      const { store } = waymark;
      const before = (await store.getCopyProvider())?.config ?? null;
      const kept = copySettingsToKeep(request.body, before);
      if ('problems' in kept) throw badRequest(kept.problems);
      const now = waymark.engine.clock.now();
      await store.saveCopyProvider(kept.settings as Record<string, unknown>, now);
      return { configured: true, settings: redactedCopySettings(kept.settings as Record<string, unknown>), updatedAt: now };
    },
  );

  app.delete(
    '/v1/copy/provider',
    { config: { access: 'admin' }, schema: { tags, summary: 'Remove the language model: the copy assistant is off', response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 404) } },
    async (request) => {
      if (!(await request.waymark.store.removeCopyProvider())) throw new ApiError(404, 'the copy assistant has no language model set');
      return { ok: true };
    },
  );

  app.post(
    '/v1/copy/suggest',
    {
      config: { access: 'edit' },
      schema: {
        tags,
        summary: 'Suggest copy for a message, checked before it is shown',
        description:
          'Asks the language model set for `n` variants of the channel\'s copy, given the journey\'s goal, a tone, a language and the names of the traits and entry-event properties the project has seen (never their values). ' +
          'Each variant must be Liquid that validates, read only known Profile.* and Event.* names (optional ones with a default), and keep within the channel\'s copy limits; ' +
          'those that fail go back to the model once, then are dropped with the reasons. 409 when no model is set; 429 (with Retry-After) when the model asks to wait; 424 Failed Dependency, saying what went wrong, when it refuses the key, fails, cannot be reached, takes too long or answers nonsense.',
        body: SuggestBody,
        response: withErrors({ 200: SuggestAnswer }, 400, 409, 424, 429),
      },
    },
    async (request, reply) => {
      const { waymark } = request;
      const { store } = waymark;
      const body = request.body;
      if (channelSpec(body.channel).optOutTrait === null || copyFields(body.channel).length === 0) {
        throw badRequest([{ path: '/channel', message: `${body.channel} messages are not copy for people: the assistant writes for channels that reach a user` }]);
      }
      const record = await store.getCopyProvider();
      if (!record) throw new ApiError(409, NOT_CONFIGURED);
      const outcome = await suggestCopy(
        { store, now: () => waymark.engine.clock.now() },
        record.config as CopyProviderSettings,
        {
          channel: body.channel,
          n: body.n ?? 3,
          tone: body.tone ?? 'friendly',
          language: body.language ?? 'English',
          goal: body.goal ?? null,
          notes: body.notes ?? null,
          event: body.event ?? null,
        },
      );
      if (outcome.ok) return outcome.result;
      const { status, message, retryAfter } = outcome.failure;
      if (retryAfter) void reply.header('retry-after', retryAfter);
      return reply.code(status).send({ error: STATUS_CODES[status] ?? 'Error', message });
    },
  );

  app.get(
    '/v1/copy/log',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "The copy assistant's audit log: each call to the model, newest first",
        description: `What was sent (never the key) and what came back, with the outcome. Keeps the newest ${KEEP_ENTRIES} calls, none older than ${KEEP_DAYS} days.`,
        querystring: PagingQuery,
        response: withErrors({ 200: Type.Object({ entries: Type.Array(LogEntry), nextCursor: NextCursor }) }, 400),
      },
    },
    async (request) => {
      const page = await paged(() => request.waymark.store.copyLogPage({ limit: request.query.limit, cursor: request.query.cursor }));
      return { entries: page.items, nextCursor: page.nextCursor };
    },
  );
}
