/**
 * The dispatcher: claims the pending messages that are due, hands each channel's to its sender, and records
 * what became of each. A transient failure is tried again later (core/retry.ts) until the last attempt,
 * which dead-letters the message; a permanent one is final. Claims are leased (see Store.pendingMessages), so
 * two dispatchers never hold one message, and the message id goes to the provider as its idempotency key.
 * An address a provider reports dead (a push token no longer registered) is kept on the user's profile, in
 * the channel's `address.invalid` trait, so the next send to it is skipped before any provider sees it.
 */
import type { ChannelSender, ChannelSenders } from '../channels/channel.ts';
import { channelSpec, type Channel } from '../core/channels.ts';
import { DEFAULT_RETRY, nextAttempt, type RetryPolicy } from '../core/retry.ts';
import type { Message, ProfileUpsert, RecordedOutcome, SendOutcome, Store } from '../store/store.ts';

export interface DispatchOptions {
  store: Store;
  channels: ChannelSenders;
  now: () => number;
  /** Messages claimed per round. */
  batch?: number;
  /** Default for senders that name none. */
  retry?: RetryPolicy;
  /** In [0, 1), for the backoff's jitter. */
  random?: () => number;
  /** Between rounds (the event loop's turn). */
  between?: () => Promise<void>;
  /** After each channel's batch: the outcomes to record, and whether its sender threw (for the metrics). */
  onOutcomes?: (channel: Channel, outcomes: RecordedOutcome[], senderThrew: boolean) => void;
}

/** Sends the due messages, round after round, until none is due; returns how many outcomes were recorded. */
export async function dispatchDue(o: DispatchOptions): Promise<number> {
  let total = 0;
  for (;;) {
    const pending = await o.store.pendingMessages(o.batch ?? 1_000, o.now());
    if (pending.length === 0) return total;
    const byChannel = new Map<Channel, Message[]>();
    for (const m of pending) byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m]);
    const recorded: RecordedOutcome[] = [];
    const dead: ProfileUpsert[] = [];
    const optedOut = new Set<string>();
    await Promise.all(
      [...byChannel].map(async ([channel, messages]) => {
        const sender = o.channels[channel];
        const sent = await sendSafely(sender, messages, o.now);
        for (const x of sent.outcomes) if (x.optedOut) optedOut.add(x.id);
        const outcomes = settle(sender, messages, sent.outcomes, o);
        o.onOutcomes?.(channel, outcomes, sent.threw);
        recorded.push(...outcomes);
        dead.push(...deadAddresses(channel, messages, sent.outcomes));
      }),
    );
    await o.store.recordOutcomes(recorded);
    // After the outcomes: were these lost, the next send would fail the same way and write them then.
    // A provider that says the recipient unsubscribed (Twilio's 21610): the channel's opt-out trait, as
    // POST /v1/unsubscribe sets it, so the next send on the channel is skipped as unsubscribed.
    const optOuts = pending.flatMap((m) => {
      const trait = channelSpec(m.channel).optOutTrait;
      return trait && optedOut.has(m.id) ? [{ userId: m.userId, traits: { [trait]: true } }] : [];
    });
    if (dead.length + optOuts.length > 0) await o.store.upsertProfiles([...dead, ...optOuts], o.now());
    total += recorded.length;
    await o.between?.();
  }
}

/** A sender that throws fails its whole batch transiently, rather than the round. */
async function sendSafely(sender: ChannelSender, messages: Message[], now: () => number): Promise<{ outcomes: SendOutcome[]; threw: boolean }> {
  try {
    return { outcomes: await sender.send(messages, now), threw: false };
  } catch (error) {
    const at = now();
    const outcomes = messages.map((m) => ({ id: m.id, status: 'transient' as const, at, error: `sender_error: ${(error as Error)?.message ?? String(error)}`, provider: sender.name }));
    return { outcomes, threw: true };
  }
}

/** Each message's outcome as recorded: a transient failure becomes a retry, or a dead letter after the last attempt. */
function settle(sender: ChannelSender, messages: Message[], outcomes: SendOutcome[], o: DispatchOptions): RecordedOutcome[] {
  const byId = new Map(outcomes.map((x) => [x.id, x]));
  const policy = sender.retry ?? o.retry ?? DEFAULT_RETRY;
  return messages.map((m): RecordedOutcome => {
    const outcome = byId.get(m.id);
    // A sender that forgot a message: tried again like a transient failure, never lost.
    const x: SendOutcome = outcome ?? { id: m.id, status: 'transient', at: o.now(), error: 'no_outcome', provider: sender.name };
    const base = { id: m.id, at: x.at, ...(x.error === undefined ? {} : { error: x.error }), ...(x.providerId === undefined ? {} : { providerId: x.providerId }), provider: x.provider ?? sender.name };
    if (x.status !== 'transient') return { ...base, status: x.status };
    const next = nextAttempt(m.attempts + 1, x.at, policy, o.random ?? Math.random, x.retryAfterMs);
    return next.retry ? { ...base, status: 'retry', nextAttemptAt: next.at } : { ...base, status: 'dead' };
  });
}

/** The profile writes that mark the dead addresses among `outcomes` (only a permanent failure marks one). */
function deadAddresses(channel: Channel, messages: Message[], outcomes: SendOutcome[]): ProfileUpsert[] {
  const trait = channelSpec(channel).address?.invalid?.trait;
  if (!trait) return [];
  const userOf = new Map(messages.map((m) => [m.id, m.userId]));
  return outcomes.flatMap((x) => {
    const userId = userOf.get(x.id);
    return x.status === 'failed' && x.deadAddress && userId !== undefined ? [{ userId, traits: { [trait]: x.deadAddress } }] : [];
  });
}
