/**
 * Delivery: each channel's provider (GET/PUT/DELETE /v1/providers), and the delivery state of a user's
 * messages that explain's steps do not carry (the next attempt of a retry), read from the message log.
 * Saving answers the server's problems by field, for the form to show next to each. And a send node's test
 * send (POST /v1/journeys/:id/nodes/:node/test-send) with the address last used on each channel.
 */
import { ApiFailure, client, inProject, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema';
import { PROVIDER_LABEL } from '../lib/delivery.ts';
import { bodyProblems, type Problem } from '../lib/settings-form.ts';
import { kit, messageOf, type Slice } from './kit.ts';
import type { LogMessage } from './messages.ts';

export type ProviderView = paths['/v1/providers']['get']['responses'][200]['content']['application/json']['providers'][number];
type ProviderBody = paths['/v1/providers/{channel}']['put']['requestBody']['content']['application/json'];
type ProviderChannel = ProviderView['channel'];
export type TestSendAnswer = paths['/v1/journeys/{id}/nodes/{node}/test-send']['post']['responses'][200]['content']['application/json'];

export interface DeliverySlice {
  /** null until read. */
  providers: ProviderView[] | null;
  providersError: string | null;
  loadProviders(): Promise<void>;
  /** PUT a channel's provider: null when saved, else the problems (by field when the server named one). */
  saveProvider(channel: string, body: Record<string, unknown>): Promise<Problem[] | null>;
  /** DELETE a channel's provider: back to the outbox. */
  removeProvider(channel: string): Promise<void>;
  /** A user's messages of one journey, by instance id then node id: what explain's steps leave out. */
  passMessages: Record<string, LogMessage[]>;
  loadPassMessages(userId: string, journeyId: string): Promise<void>;
  /** The address a test send went to last, per channel, kept from one send node to the next. */
  testAddresses: Record<string, string>;
  setTestAddress(channel: string, address: string): void;
  /** Sends the node's saved message once through the channel's provider; throws with the server's message. */
  testSend(journeyId: string, nodeId: string, to: string | undefined): Promise<TestSendAnswer>;
}

/** Enough of one user's messages in one journey to cover their passes through it. */
const PASS_MESSAGES_LIMIT = 200;

export const deliverySlice: Slice<DeliverySlice> = (set, get) => {
  const { guarded, withBusy } = kit(set, get);
  const replace = (view: ProviderView) => set((s) => ({ providers: (s.providers ?? []).map((p) => (p.channel === view.channel ? view : p)) }));
  return {
    providers: null,
    providersError: null,
    passMessages: {},
    testAddresses: {},

    setTestAddress(channel, address) {
      set((s) => ({ testAddresses: { ...s.testAddresses, [channel]: address } }));
    },

    async testSend(journeyId, nodeId, to) {
      const params = { path: { id: journeyId, node: nodeId } };
      const body = { ...(to === undefined ? {} : { to }), ...(get().previewUser ? { userId: get().previewUser } : {}) };
      return guarded(() => unwrap(client.POST('/v1/journeys/{id}/nodes/{node}/test-send', { params, body })));
    },

    async loadProviders() {
      try {
        const { providers } = await guarded(() => unwrap(client.GET('/v1/providers')));
        set({ providers, providersError: null });
      } catch (error) {
        set({ providersError: messageOf(error) });
      }
    },

    async saveProvider(channel, body) {
      const params = { path: { channel: channel as ProviderChannel } };
      // The body is built by lib/delivery.ts from the form; the server checks every field of it.
      const answer = await inProject(client.PUT('/v1/providers/{channel}', { params, body: body as ProviderBody })).catch(() => null);
      if (!answer) return [{ path: '', message: 'The server cannot be reached. Check that Waymark is running, then try again.' }];
      const { data, error, response } = answer;
      if (response.ok && data) {
        replace(data);
        set({ notice: { tone: 'success', text: `Saved: ${channel} messages are delivered by ${PROVIDER_LABEL[data.provider] ?? data.provider}.` } });
        return null;
      }
      const problems = bodyProblems(error);
      if (response.status === 400 && problems.length > 0) return problems;
      const message = (error as { message?: unknown } | undefined)?.message;
      const failure = new ApiFailure(response.status, typeof message === 'string' ? message : `The server answered ${response.status}.`);
      await guarded(() => Promise.reject(failure)).catch(() => {}); // a 401 brings the sign-in page back
      return [{ path: '', message: failure.message }];
    },

    removeProvider(channel) {
      return withBusy(`provider:${channel}`, async () => {
        await guarded(() => unwrap(client.DELETE('/v1/providers/{channel}', { params: { path: { channel: channel as ProviderChannel } } })));
        replace({ channel: channel as ProviderChannel, provider: 'outbox', settings: {}, updatedAt: null });
        set({ notice: { tone: 'success', text: `Removed: ${channel} messages go to the built-in outbox.` } });
      });
    },

    async loadPassMessages(userId, journeyId) {
      try {
        const query = { userId, journeyId, limit: PASS_MESSAGES_LIMIT, order: 'newest' as const };
        const { messages } = await guarded(() => unwrap(client.GET('/v1/messages', { params: { query } })));
        const byInstance: Record<string, LogMessage[]> = {};
        for (const m of messages) (byInstance[m.instanceId] ??= []).push(m);
        set((s) => ({ passMessages: { ...s.passMessages, ...byInstance } }));
      } catch {
        // Explain's own words stand without the next attempt's time.
      }
    },
  };
};
