/**
 * The built-in channel: delivery is recording the rendered message in the store's message log, readable over
 * the API. The product works end to end with no provider configured.
 */
import { CHANNEL_NAMES } from '../core/channels.ts';
import type { ChannelSender, ChannelSenders } from './channel.ts';

export const outboxChannel: ChannelSender = {
  name: 'outbox',
  deliversInStore: true,
  async send(messages, now) {
    const at = now();
    return messages.map((m) => ({ id: m.id, status: 'sent' as const, at }));
  },
};

export function outboxOnly(): ChannelSenders {
  return Object.fromEntries(CHANNEL_NAMES.map((channel) => [channel, outboxChannel])) as ChannelSenders;
}
