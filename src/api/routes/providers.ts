/**
 * Delivery providers per channel (admin): which provider delivers a channel's messages and its settings.
 * Secrets are write-only. A change reaches every process's dispatcher within a second (senders.ts reads the
 * settings again), with no restart. Removing a channel's provider puts it back on the built-in outbox.
 */
import Type from 'typebox';
import { PROVIDER_OF, ProviderSettings, redacted, settingsToKeep } from '../../channels/providers.ts';
import { Channel, CHANNEL_NAMES } from '../../core/channels.ts';
import type { Api, RouteContext } from '../context.ts';
import { ApiError, badRequest } from '../errors.ts';
import { withErrors } from '../schemas.ts';
import type { Store } from '../../store/store.ts';

const ProviderView = Type.Object({
  channel: Channel,
  provider: Type.String({ description: "'outbox' when the channel has no provider: its messages are only recorded in the message log" }),
  settings: Type.Record(Type.String(), Type.Unknown(), { description: 'As set, with every secret shown as { "set": true }' }),
  updatedAt: Type.Union([Type.Integer(), Type.Null()]),
});
const Params = Type.Object({ channel: Channel });

export function providerRoutes(app: Api, _context: RouteContext): void {
  const tags = ['providers'];
  const view = async (store: Store) => {
    const records = new Map((await store.listProviders()).map((r) => [r.channel, r]));
    return CHANNEL_NAMES.map((channel) => {
      const r = records.get(channel);
      return r
        ? { channel, provider: String(r.config.provider), settings: redacted(r.config), updatedAt: r.updatedAt }
        : { channel, provider: 'outbox', settings: {}, updatedAt: null };
    });
  };

  app.get(
    '/v1/providers',
    { config: { access: 'read' }, schema: { tags, summary: "Each channel's delivery provider and its settings (secrets never shown)", response: withErrors({ 200: Type.Object({ providers: Type.Array(ProviderView) }) }) } },
    async (request) => ({ providers: await view(request.waymark.store) }),
  );

  app.put(
    '/v1/providers/:channel',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Set a channel's delivery provider",
        description:
          `Email: provider "smtp"; webhook: provider "webhook" (${Object.keys(PROVIDER_OF).length} channels have one so far; the others stay in the outbox). ` +
          'Replaces the settings; a secret (password, secret) left out is kept. Reaches the dispatchers within a second.',
        params: Params,
        body: ProviderSettings,
        response: withErrors({ 200: ProviderView }, 400),
      },
    },
    async (request) => {
      const { waymark } = request;
      const { channel } = request.params;
      const before = (await waymark.store.listProviders()).find((r) => r.channel === channel)?.config ?? null;
      const kept = settingsToKeep(channel, request.body, before);
      if ('problems' in kept) throw badRequest(kept.problems);
      const now = waymark.engine.clock.now();
      await waymark.store.saveProvider(channel, kept.settings as Record<string, unknown>, now);
      await waymark.engine.reloadJourneys(); // the engine's senders take the new settings before this answers
      return { channel, provider: kept.settings.provider, settings: redacted(kept.settings as Record<string, unknown>), updatedAt: now };
    },
  );

  app.delete(
    '/v1/providers/:channel',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: "Remove a channel's provider: its messages go back to the built-in outbox",
        params: Params,
        response: withErrors({ 200: Type.Object({ ok: Type.Boolean() }) }, 404),
      },
    },
    async (request) => {
      const { waymark } = request;
      if (!(await waymark.store.removeProvider(request.params.channel))) throw new ApiError(404, `${request.params.channel} has no provider: it is on the outbox`);
      await waymark.engine.reloadJourneys();
      return { ok: true };
    },
  );
}
