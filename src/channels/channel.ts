/** A way to deliver messages. Given a batch of pending messages, says for each whether it went out. */
import type { Channel } from '../core/definition.ts';
import type { Message, SendOutcome } from '../store/store.ts';

export interface ChannelSender {
  readonly name: string;
  /** Must not throw for one bad message: report it as 'failed' in its outcome. The message id is the idempotency key. */
  send(messages: Message[], now: () => number): Promise<SendOutcome[]>;
}

export type ChannelSenders = Record<Channel, ChannelSender>;
