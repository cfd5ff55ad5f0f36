/**
 * The channel senders of a process, built from data: the provider settings the store keeps (providers.ts),
 * read again when older than `cacheMs`, so a change made through any process's API reaches every dispatcher
 * without a restart and without passing live objects around (this runs in whatever thread the engine runs).
 * A channel without settings delivers in the store (the built-in outbox, as with no configuration at all);
 * one with settings leaves its messages pending for the dispatcher, which hands them to SMTP, webhooks, push
 * providers or Twilio. A sender is kept while its settings are unchanged: the FCM token and the APNs connection with it.
 */
import { CHANNEL_NAMES, type Channel } from '../core/channels.ts';
import { logError } from '../ops/logger.ts';
import type { Message, ProviderRecord, SendOutcome, Store } from '../store/store.ts';
import type { ChannelSender, ChannelSenders } from './channel.ts';
import { pushConfigOf, smtpConfigOf, twilioConfigOf, webhookConfigOf, type ProviderSettings } from './providers.ts';
import { pushSender } from './push.ts';
import { smtpSender } from './smtp.ts';
import { twilioSender } from './twilio.ts';
import { trackingKey } from './tracking.ts';
import { unsubscribeKey } from './unsubscribe.ts';
import { webhookSender } from './webhook.ts';

export interface SendersOptions {
  /** How old a reading of the settings may be (wall clock). Default 1 s. */
  cacheMs?: number;
  /** For timestamps of the project's secrets. Default Date.now. */
  now?: () => number;
  onError?: (error: unknown, where: string) => void;
  /** Name resolution for webhooks (tests). */
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>;
}

/** The latest reading of the provider settings, and the senders built from it (rebuilt when a record changes). */
class Directory {
  private records = new Map<Channel, ProviderRecord>();
  private built = new Map<Channel, { key: string; sender: ChannelSender }>();
  private readAt = -Infinity;
  private reading: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly o: SendersOptions,
  ) {}

  /** Reads the settings afresh (one read at a time: callers meanwhile share it). */
  refresh(): Promise<void> {
    this.reading ??= this.store
      .listProviders()
      .then((records) => {
        this.records = new Map(records.map((r) => [r.channel, r]));
        this.readAt = Date.now();
      })
      .finally(() => {
        this.reading = null;
      });
    return this.reading;
  }

  private stale(): boolean {
    return Date.now() - this.readAt >= (this.o.cacheMs ?? 1_000);
  }

  /** Whether `channel` has a provider, from the latest reading; a stale one is read again in the background. */
  configured(channel: Channel): boolean {
    if (this.stale() && !this.reading) {
      this.refresh().catch((error) => (this.o.onError ?? logError('delivery'))(error, 'reading providers'));
    }
    return this.records.has(channel);
  }

  /** The sender for `channel` from fresh settings, or null when it has none. */
  async senderFor(channel: Channel): Promise<ChannelSender | null> {
    if (this.stale()) await this.refresh();
    const record = this.records.get(channel);
    if (!record) return null;
    const key = `${record.updatedAt}:${JSON.stringify(record.config)}`;
    const known = this.built.get(channel);
    if (known?.key === key) return known.sender;
    const sender = await this.build(record.config as ProviderSettings, channel);
    (known?.sender as { close?: () => void } | undefined)?.close?.(); // its connections, now that its settings are gone
    this.built.set(channel, { key, sender });
    return sender;
  }

  private async build(settings: ProviderSettings, channel: Channel): Promise<ChannelSender> {
    const now = (this.o.now ?? Date.now)();
    if (settings.provider === 'twilio') return twilioSender(twilioConfigOf(settings, channel), { store: this.store, key: await trackingKey(this.store, now) });
    if (settings.provider === 'smtp') return smtpSender(smtpConfigOf(settings), { unsubscribe: await unsubscribeKey(this.store, now), tracking: await trackingKey(this.store, now) });
    if (settings.provider === 'push') return pushSender(pushConfigOf(settings), await trackingKey(this.store, now));
    return webhookSender(webhookConfigOf(settings), this.o.resolve);
  }
}

/** What a channel with no provider does when the dispatcher finds its messages pending: records them, as the outbox would have. */
function outboxOutcomes(messages: Message[], at: number): SendOutcome[] {
  return messages.map((m) => ({ id: m.id, status: 'sent', at, provider: 'outbox' }));
}

const directories = new WeakMap<ChannelSenders, Directory>();

/**
 * Reads the provider settings of senders made by channelSenders again, now, rather than within `cacheMs`:
 * for a caller that just changed them in this process and must see the change at once (tests).
 */
export function rereadProviders(senders: ChannelSenders): Promise<void> {
  return directories.get(senders)?.refresh() ?? Promise.resolve();
}

/** Every channel's sender from the store's provider settings, after a first reading of them. */
export async function channelSenders(store: Store, options: SendersOptions = {}): Promise<ChannelSenders> {
  const directory = new Directory(store, options);
  await directory.refresh();
  const senderOf = (channel: Channel): ChannelSender => ({
    name: channel,
    get deliversInStore() {
      return !directory.configured(channel);
    },
    async send(messages, now, options) {
      // Settings removed since these were queued: they end as the outbox would have recorded them.
      const sender = await directory.senderFor(channel);
      return sender ? sender.send(messages, now, options) : outboxOutcomes(messages, now());
    },
  });
  const senders = Object.fromEntries(CHANNEL_NAMES.map((c) => [c, senderOf(c)])) as ChannelSenders;
  directories.set(senders, directory);
  return senders;
}
