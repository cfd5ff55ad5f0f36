/**
 * The message records of the storage port: the message log, what senders and providers say of a message, the
 * in-app inbox and dead letters, and the queries over them. Re-exported by records.ts.
 */
import type { Channel } from '../core/definition.ts';
import type { FailReason, SkipReason } from '../core/instance.ts';
import type { PageRequest } from './pages.ts';

/**
 * pending: queued (or waiting for a retry); sent: the provider took it; delivered: the provider says it
 * reached the handset (Twilio's status callback); failed: refused for good, or not delivered after all (the
 * reason says why); dead: dead-lettered after the last retry; skipped: never sent (reason); bounced: an email
 * the SMTP server took, then reported undeliverable by a delivery status notification (POST /v1/bounces).
 */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'failed' | 'dead' | 'skipped' | 'bounced';
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['pending', 'sent', 'delivered', 'failed', 'dead', 'skipped', 'bounced'];

export interface MessageContent {
  title?: string;
  subject?: string;
  body: string;
  url?: string;
  to?: string;
  /** A push's extra key-values, added by its sender as it sends (the open-tracking token); never stored. */
  data?: Record<string, string>;
}

export interface NewMessage {
  /**
   * Deterministic, `<instanceId>:<nodeId>:<step>`: the unique key that makes a send happen at most once. A
   * store may find an instance's messages by this prefix (the SQLite store does: instance-messages.ts).
   */
  id: string;
  journeyId: string;
  version: number;
  instanceId: string;
  nodeId: string;
  userId: string;
  channel: Channel;
  /** 'sent' when the channel delivers by recording in the store itself (the built-in outbox channel); 'failed' when it could not be rendered. */
  status: 'pending' | 'sent' | 'skipped' | 'failed';
  /** Why skipped, or why failed (`render_failed: ` and Liquid's reason). */
  reason: SkipReason | `${FailReason}: ${string}` | null;
  content: MessageContent | null;
  createdAt: number;
  sentAt: number | null;
}

export interface Message extends Omit<NewMessage, 'status' | 'reason' | 'sentAt'> {
  /** Position in the message log; the cursor for listing. */
  seq: number;
  status: MessageStatus;
  reason: string | null;
  sentAt: number | null;
  /** Send attempts recorded (each outcome a provider gave, retries included). */
  attempts: number;
  /**
   * Times a dispatcher has claimed it, this claim included. More than attempts + 1: an earlier claim ended with
   * no outcome recorded (its process died mid-send), so the provider may have taken it (mayHaveBeenSent).
   */
  claims: number;
  /**
   * When a sender said it was about to pass its point of no return for the attempt in progress (SMTP's end of
   * DATA, held until this is stored: SendOptions.committing), or null; recording an outcome clears it. With
   * mayHaveBeenSent, the provider may have taken it: the sender holds it rather than send it twice.
   */
  sendingAt: number | null;
  /** For a pending message tried before: when it is next due; null otherwise (due at once, or not pending). */
  nextAttemptAt: number | null;
  /** Who took it: 'outbox' (the built-in log), 'smtp', 'webhook'; null when no provider was involved. */
  provider: string | null;
  /** When the recipient first opened it (an email's pixel, a push opened, or a first click), or null. */
  openedAt: number | null;
  /** When the recipient first clicked (a tracked link, or POST /v1/messages/:id/click), or null. */
  clickedAt: number | null;
}

/** An open or a click of a message by its recipient (docs/channels.md, "Engagement tracking"). */
export type Engagement = 'open' | 'click';

/** What recordEngagement did to a message that exists. */
export interface EngagementResult {
  message: Pick<Message, 'id' | 'journeyId' | 'version' | 'nodeId' | 'userId' | 'channel'>;
  /** The first open (a click is an open too); and the first click, or null when there was none. */
  openedAt: number;
  clickedAt: number | null;
  /** Whether this call was the first open, the first click: each counted once on the node. */
  firstOpen: boolean;
  firstClick: boolean;
}

/** An SMS short link: /s/<code> leads to `url`, and counts as a click on the message. */
export interface ShortLink {
  code: string;
  messageId: string;
  url: string;
}

/**
 * What a sender says of one message: sent, failed for good (a permanent refusal: not retried), transient
 * (a timeout, a 429, a 5xx, a 4xx SMTP answer: retried later, after `retryAfterMs` when the provider said),
 * or dead: not sent, and not retried by itself either, as the provider may have it already (an email in
 * doubt after a crash): held as a dead letter for an admin to send again if it did not arrive.
 */
export interface SendOutcome {
  id: string;
  status: 'sent' | 'failed' | 'transient' | 'dead';
  at: number;
  error?: string;
  /** transient: the provider's Retry-After, in ms from `at`. */
  retryAfterMs?: number;
  /** Who took (or refused) it: 'outbox', 'smtp', 'webhook', 'fcm', 'apns', 'webpush', 'twilio'. */
  provider?: string;
  /**
   * failed: the address the provider reported dead (a push token no longer registered, an email address that
   * bounced). The dispatcher keeps it on the profile (the channel's `address.invalid` trait), so later sends
   * to it are skipped.
   */
  deadAddress?: string;
  /** sent: the provider's own id of the message (Twilio's SID), by which its callbacks name it. */
  providerId?: string;
  /** The provider says the recipient unsubscribed (Twilio's 21610): the channel's opt-out trait is set on their profile. */
  optedOut?: boolean;
}

/**
 * What the dispatcher records of one attempt: sent, failed, dead (the last attempt failed), or retry (stays
 * pending, due again at `nextAttemptAt`). Each counts as one attempt; only a message still pending changes.
 */
export interface RecordedOutcome {
  id: string;
  status: 'sent' | 'failed' | 'dead' | 'retry';
  at: number;
  error?: string;
  /** retry: when the message is due again (engine clock). */
  nextAttemptAt?: number;
  provider?: string;
  providerId?: string;
}

/**
 * Which dead letters to send again (Store.requeueDeadMessages): the ones among these ids, or every one that
 * matches all the fields given; `since` (inclusive) and `until` (exclusive) bound its createdAt (engine clock,
 * epoch ms). `{}` is every dead letter.
 */
export type DeadLetterFilter =
  | { ids: readonly string[] }
  | { journeyId?: string; nodeId?: string; userId?: string; channel?: Channel; since?: number; until?: number };

/** The most dead letters one requeue moves, oldest first: a transaction of bounded size. Call again for the rest. */
export const MAX_REQUEUE = 10_000;

/** What a provider's callback says became of a message it took: delivered, or not after all. */
export interface DeliveryUpdate {
  provider: string;
  providerId: string;
  status: 'delivered' | 'failed';
  reason: string | null;
  at: number;
}

/** A message of a user's in-app inbox, as the app shows it. */
export interface InboxMessage {
  id: string;
  journeyId: string;
  nodeId: string;
  title: string;
  body: string;
  url: string | null;
  createdAt: number;
  readAt: number | null;
  dismissedAt: number | null;
}

export interface InboxQuery extends PageRequest {
  /** Include the messages the user dismissed. */
  dismissed: boolean;
}

export interface MessageQuery {
  after?: number;
  limit: number;
  userId?: string;
  journeyId?: string;
}

/**
 * The message log with the dashboard's filters. The range is read through one index (the user's messages,
 * else the journey's, else the whole log), and at most `scanLimit` messages of it are looked at: the other
 * filters (node, status, channel) have no index of their own, so a request costs at most that many rows.
 */
export interface MessageLogQuery {
  /** 'oldest': seq ascending, after `from`; 'newest': seq descending, before `from`. */
  order: 'oldest' | 'newest';
  /** Exclusive; absent: from the start of the log ('oldest') or its end ('newest'). */
  from?: number;
  limit: number;
  userId?: string;
  journeyId?: string;
  nodeId?: string;
  status?: MessageStatus;
  channel?: Channel;
  /** Most messages of the range looked at, matching or not. */
  scanLimit: number;
}

export interface MessageLogPage {
  /** At most `limit`, in the order asked. */
  messages: Message[];
  /**
   * Where the page stopped: the last returned when it is full, the `scanLimit`-th looked at when the limit
   * stopped it; at the end of the range, the last returned (null when none matched).
   */
  scannedTo: number | null;
  /** False when the range was read to its end; true when messages past `scannedTo` may match. */
  more: boolean;
}
