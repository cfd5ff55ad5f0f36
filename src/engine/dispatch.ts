/**
 * The dispatcher: claims the pending messages that are due, hands each channel's to its sender, and records
 * what became of each. A transient failure is tried again later (core/retry.ts) until the last attempt,
 * which dead-letters the message; a permanent one is final. Claims are leased (see Store.pendingMessages), so
 * two dispatchers never hold one message, and the message id goes to the provider as its idempotency key.
 * An address a provider reports dead (a push token no longer registered) is kept on the user's profile, in
 * the channel's `address.invalid` trait, so the next send to it is skipped before any provider sees it.
 */
import type { ChannelSender, ChannelSenders, SendOptions } from '../channels/channel.ts';
import { channelSpec, deadAddressTraits, type Channel } from '../core/channels.ts';
import { DEFAULT_RETRY, nextAttempt, type RetryPolicy } from '../core/retry.ts';
import type { Message, ProfileUpsert, RecordedOutcome, SendOutcome, Store } from '../store/store.ts';
import { SendingMarks } from './sending-marks.ts';

export interface DispatchOptions {
  store: Store;
  channels: ChannelSenders;
  now: () => number;
  /** Messages claimed at a time (and how many may wait unstarted before the next claim). */
  batch?: number;
  /** The leases' clock (wall clock, ms). Default Date.now. */
  wall?: () => number;
  /** Default for senders that name none. */
  retry?: RetryPolicy;
  /** In [0, 1), for the backoff's jitter. */
  random?: () => number;
  /** After each claim (the event loop's turn). */
  between?: () => Promise<void>;
  /** After each channel's batch: the outcomes to record, and whether its sender threw (for the metrics). */
  onOutcomes?: (channel: Channel, outcomes: RecordedOutcome[], senderThrew: boolean) => void;
}

/**
 * Sends the due messages until none is due; returns how many outcomes were recorded.
 *
 * Pipelined, so that a provider answering slowly is never left idle: the next batch is claimed as soon as
 * fewer than a batch of the claimed messages wait unstarted, while the earlier ones are still in flight
 * (each sender's limiter, shared by all its batches, keeps its provider's limits). Outcomes are recorded as
 * they come, a group at a time (OutcomeLog). A message is sent only while at least half its lease is left,
 * so its send has the other half (15 s of the default 30, more than any sender's default timeout) before
 * another dispatcher may claim it; one whose turn comes later is skipped, unrecorded, and its claim given
 * back when its part of the batch ends (Store.releaseClaims). Once a claim finds nothing, the next waits for a batch to end (its
 * retries may be due at once). A sender's marks before its point of no return (SendOptions.committing) are
 * written a group at a time too, for all the batches under way (sending-marks.ts).
 */
export async function dispatchDue(o: DispatchOptions): Promise<number> {
  const batch = o.batch ?? 1_000;
  const running = new Set<Promise<void>>();
  const state = { unstarted: 0, recorded: 0 };
  const marks = new SendingMarks((ids) => o.store.markSending(ids, o.now()));
  const failures: unknown[] = []; // of recording a batch (the store): the first is thrown, once the others end
  let drained = false;
  let wake: (() => void) | null = null;
  const ring = () => {
    wake?.();
    wake = null;
  };
  for (;;) {
    if (failures.length > 0) {
      await Promise.allSettled(running);
      throw failures[0];
    }
    if (!drained && state.unstarted < batch) {
      const claimedAt = (o.wall ?? Date.now)();
      const pending = await o.store.pendingMessages(batch, o.now());
      if (pending.length > 0) {
        state.unstarted += pending.length;
        const sent: Promise<void> = sendBatch(pending, claimedAt, state, ring, marks, o)
          .catch((error: unknown) => {
            failures.push(error);
          })
          .finally(() => {
            running.delete(sent);
            drained = false;
            ring();
          });
        running.add(sent);
        await o.between?.();
        continue;
      }
      drained = true;
    }
    if (running.size === 0) return state.recorded;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

/** Sends one claimed batch, each channel's part to its sender, and records each part's outcomes when it ends. */
async function sendBatch(pending: Message[], claimedAt: number, state: { unstarted: number; recorded: number }, ring: () => void, marks: SendingMarks, o: DispatchOptions): Promise<void> {
  const startBy = claimedAt + o.store.outboxLeaseMs / 2;
  const byChannel = new Map<Channel, Message[]>();
  for (const m of pending) byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m]);
  await Promise.all(
    [...byChannel].map(async ([channel, messages]) => {
      const sender = o.channels[channel];
      const skipped = new Set<string>();
      let asked = 0;
      const starting = (m: Message): boolean => {
        asked += 1;
        state.unstarted -= 1;
        ring();
        if ((o.wall ?? Date.now)() < startBy) return true;
        skipped.add(m.id);
        return false;
      };
      const record = async (tried: Message[], given: SendOutcome[], threw: boolean) => {
        const outcomes = settle(sender, tried, given, o);
        o.onOutcomes?.(channel, outcomes, threw);
        await o.store.recordOutcomes(outcomes);
        // After the outcomes: were these lost, the next send would fail the same way and write them then.
        // A provider that says the recipient unsubscribed (Twilio's 21610): the channel's opt-out trait, as
        // POST /v1/unsubscribe sets it, so the next send on the channel is skipped as unsubscribed.
        const optedOut = new Set(given.filter((x) => x.optedOut).map((x) => x.id));
        const trait = channelSpec(channel).optOutTrait;
        const optOuts = trait ? tried.filter((m) => optedOut.has(m.id)).map((m) => ({ userId: m.userId, traits: { [trait]: true } })) : [];
        const dead = deadAddresses(channel, tried, given);
        if (dead.length + optOuts.length > 0) await o.store.upsertProfiles([...dead, ...optOuts], o.now());
        state.recorded += outcomes.length;
      };
      // Outcomes are recorded as they come, not when the whole part ends: a process that dies mid-batch then
      // sends again only what had no answer yet, not every message of the batches under way.
      const byId = new Map(messages.map((m) => [m.id, m]));
      const log = new OutcomeLog((group) => record(group.flatMap((x) => byId.get(x.id) ?? []), group, false));
      const sent = await sendSafely(sender, messages, o.now, { starting, settled: (x) => log.add(x), committing: (m) => marks.mark(m.id) });
      state.unstarted -= messages.length - asked; // those the sender did not ask about (one without a limiter)
      ring();
      await log.written();
      // What was not recorded on the way: a sender that tells only at the end, forgot a message, or threw.
      const rest = messages.filter((m) => !skipped.has(m.id) && !log.has(m.id));
      if (rest.length > 0) await record(rest, sent.outcomes.filter((x) => !log.has(x.id)), sent.threw);
      // Never started: claimable again at once, and not taken for possibly sent (channel.ts, mayHaveBeenSent).
      if (skipped.size > 0) await o.store.releaseClaims(messages.filter((m) => skipped.has(m.id)).map((m) => ({ id: m.id, claims: m.claims })));
    }),
  );
}

/**
 * Writes are at least this far apart: the outcomes that come in between are written as one group, so thousands
 * of answers a second cost a hundred writes, not thousands, and a message waits at most this long to be recorded.
 */
const OUTCOME_WRITE_GAP_MS = 10;

/**
 * One channel's outcomes written a group at a time as they come: while one group is written or the gap after
 * the last one runs, the next gathers.
 */
class OutcomeLog {
  private waiting: SendOutcome[] = [];
  private writing: Promise<void> | null = null;
  private failure: { error: unknown } | null = null;
  private readonly taken = new Set<string>();
  private lastWrite = -Infinity;

  constructor(private readonly write: (group: SendOutcome[]) => Promise<void>) {}

  /** The first outcome of a message counts, as the store records only the first. */
  add(outcome: SendOutcome): void {
    if (this.taken.has(outcome.id)) return;
    this.taken.add(outcome.id);
    this.waiting.push(outcome);
    this.writing ??= this.drain();
  }

  has(id: string): boolean {
    return this.taken.has(id);
  }

  /** Once every outcome added so far is written; throws the store's failure if a write failed. */
  async written(): Promise<void> {
    while (this.writing) await this.writing;
    if (this.failure) throw this.failure.error;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length > 0 && !this.failure) {
        const gap = this.lastWrite + OUTCOME_WRITE_GAP_MS - performance.now();
        await new Promise((resolve) => (gap > 0 ? setTimeout(resolve, gap) : setImmediate(resolve))); // others join the group
        const group = this.waiting;
        this.waiting = [];
        await this.write(group);
        this.lastWrite = performance.now();
      }
    } catch (error) {
      this.failure = { error }; // the outcomes not written stay pending under their lease: sent again later
    } finally {
      this.writing = null;
    }
  }
}

/** A sender that throws fails its whole batch transiently, rather than the round. */
async function sendSafely(sender: ChannelSender, messages: Message[], now: () => number, options: SendOptions): Promise<{ outcomes: SendOutcome[]; threw: boolean }> {
  try {
    return { outcomes: await sender.send(messages, now, options), threw: false };
  } catch (error) {
    const at = now();
    const outcomes = messages.map((m) => ({ id: m.id, status: 'transient' as const, at, error: `sender_error: ${(error as Error)?.message ?? String(error)}`, provider: sender.name }));
    return { outcomes, threw: true };
  }
}

/**
 * Each message's outcome as recorded: a transient failure becomes a retry, or a dead letter after the last
 * attempt; a sender's 'dead' (held in doubt, not sent) is recorded as it is.
 */
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
  const userOf = new Map(messages.map((m) => [m.id, m.userId]));
  return outcomes.flatMap((x) => {
    const userId = userOf.get(x.id);
    const traits = x.status === 'failed' && x.deadAddress ? deadAddressTraits(channel, x.deadAddress) : null;
    return traits && userId !== undefined ? [{ userId, traits }] : [];
  });
}
