/** A way to deliver messages. Given a batch of pending messages, says for each whether it went out. */
import type { Channel } from '../core/channels.ts';
import type { RetryPolicy } from '../core/retry.ts';
import type { Message, SendOutcome } from '../store/store.ts';

export interface ChannelSender {
  readonly name: string;
  /**
   * True when delivering is recording the message in the store (the built-in outbox): the engine then marks
   * it sent in the same transaction that created it, and the dispatcher never sees it. Read at each unit of
   * work: a sender built from configuration (channels/senders.ts) answers from its latest reading of it.
   */
  readonly deliversInStore?: boolean;
  /** How transient failures are retried (default core/retry.ts's DEFAULT_RETRY). */
  readonly retry?: RetryPolicy;
  /**
   * Must not throw for one bad message: report it as 'failed' (permanent) or 'transient' (retried) in its
   * outcome. The message id is the idempotency key.
   */
  send(messages: Message[], now: () => number, options?: SendOptions): Promise<SendOutcome[]>;
}

export interface SendOptions {
  /**
   * Asked as each message's request is about to start (its turn under the provider's limits, limiter.ts):
   * false, and it is not sent and has no outcome. The dispatcher says false once its lease on the message
   * is running out, as another dispatcher may then claim it.
   */
  starting?: (m: Message) => boolean;
  /**
   * Told each outcome as soon as it is known, before `send` resolves (and returns it too): the dispatcher
   * records outcomes as they come, so a process that dies mid-batch sends again only what had no answer yet.
   */
  settled?: (outcome: SendOutcome) => void;
  /**
   * Resolves once the store holds m's mark (Message.sendingAt): the sender is about to pass its point of no
   * return, after which the provider may have the message though no answer came (SMTP's end of DATA). A
   * sender waits for it before that point; rejected (the mark could not be stored), it does not pass it and
   * reports the message transient.
   */
  committing?: (m: Message) => Promise<void>;
}

/**
 * Whether an earlier claim of the message ended with no outcome recorded: its process died mid-send (or its
 * lease ran out before its turn), so the provider may have taken it already. A sender whose provider takes no
 * idempotency key and can be asked (Twilio) looks before sending again; one that marks its point of no return
 * (SMTP, SendOptions.committing) holds the message only if it is marked.
 */
export function mayHaveBeenSent(m: Message): boolean {
  return m.claims > m.attempts + 1;
}

/** One sender per channel of the table (core/channels.ts): the compiler refuses a channel without one. */
export type ChannelSenders = Record<Channel, ChannelSender>;
