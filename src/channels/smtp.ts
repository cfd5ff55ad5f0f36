/**
 * Email over SMTP: nodemailer's SMTP client on connections kept between messages (smtp-connections.ts), the
 * message built by email-message.ts. The rendered subject and HTML body, a text part derived from the HTML,
 * the project's from and reply-to, and one-click unsubscribe headers (RFC 8058) pointing at Waymark's own
 * POST /v1/unsubscribe/<token>. With a public URL, the HTML's links and an open pixel are tracked
 * (email-tracking.ts); the text part keeps the links as written, readable. The Message-ID derives from the
 * message id, so a retry carries the same one.
 * SMTP answers: 4xx (and connection trouble, timeouts, a login refused) are transient; 5xx are permanent.
 */
import type { Message, SendOutcome } from '../store/store.ts';
import { mayHaveBeenSent, type ChannelSender, type SendOptions } from './channel.ts';
import { composeEmail, emailSender, type EmailSender } from './email-message.ts';
import { trackEmailHtml } from './email-tracking.ts';
import { htmlToText } from './html-text.ts';
import { limiterOf } from './limiter.ts';
import { SmtpConnections, type SmtpError } from './smtp-connections.ts';
import { baseOf } from './tracking.ts';
import { unsubscribeToken } from './unsubscribe.ts';

export interface SmtpConfig {
  host: string;
  port: number;
  /** TLS from the start (port 465); else STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  /** "Name <address>" or an address. */
  from: string;
  replyTo?: string;
  /** The envelope sender (MAIL FROM), where bounces go: a mailbox piped to POST /v1/bounces. Default: the from address. */
  returnPath?: string;
  /**
   * Waymark's API as recipients reach it (e.g. https://waymark.example.com): where the unsubscribe links
   * and the tracked links point. Without it, emails carry no List-Unsubscribe header and nothing is tracked.
   */
  publicUrl?: string;
  /** Opens and clicks tracked (with a public URL). Default true. */
  tracking?: boolean;
  /** Per connection step. Default 10 s. */
  timeoutMs?: number;
  /** Connections at once (default SMTP_CONCURRENCY). */
  concurrency?: number;
  /** Messages started a second at most (default: no limit). */
  ratePerSecond?: number;
}

export const SMTP_TIMEOUT_MS = 10_000;

/** The Message-ID of a message: its id (base64url) at the sender's domain. */
export function messageIdOf(id: string, from: string): string {
  const domain = /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? 'waymark.invalid';
  return `<${Buffer.from(id, 'utf8').toString('base64url')}@${domain}>`;
}

/**
 * The message id a Message-ID made by messageIdOf names (a bounce report names the email it returns by it), or
 * null when it is not one: its local part must decode to text that encodes back to it, with no control
 * characters, at most `maxLength` long. Any domain: the sender's address may have changed since.
 */
export function messageIdFrom(header: string, maxLength = 500): string | null {
  const local = /<([A-Za-z0-9_-]+)@[^\s<>@]+>/.exec(header)?.[1];
  if (local === undefined) return null;
  const id = Buffer.from(local, 'base64url').toString('utf8');
  if (id.length === 0 || id.length > maxLength || /\p{Cc}/u.test(id)) return null;
  return Buffer.from(id, 'utf8').toString('base64url') === local ? id : null;
}

/** The project's keys a sender signs links with (unsubscribe.ts, tracking.ts). */
export interface SigningKeys {
  unsubscribe: Buffer;
  tracking: Buffer;
}

/**
 * Connections at once by default, each sending one message after another: throughput is at most this many per
 * answer time (bench/delivery.ts: 20 held it to 155 a second at a 100 ms answer). 50 is what a stock Postfix
 * takes from one client (smtpd_client_connection_count_limit): more would have a self-hosted server refuse
 * the rest with 421 and every send wait out a retry. Relays made for bulk mail (SES, SendGrid, Postmark) take
 * far more: at a 100 ms answer, 200 connections held 1,265 emails a second and 400 held 2,092-2,142 (a message is
 * four exchanges, MAIL, RCPT, DATA and the message, so a connection sends fewer than 10 a second).
 */
export const SMTP_CONCURRENCY = 50;

/** Idle connections are closed after this long without a message (they must not keep the process alive). */
export const SMTP_IDLE_MS = 1_000;

/**
 * The SMTP sender, and close() for its connections (when its settings change: they close once the messages
 * already handed to it are sent). One set of connections serves batch after batch (the dispatcher hands over
 * the next while the last is in flight); a connection idle for SMTP_IDLE_MS is closed.
 */
export function smtpSender(config: SmtpConfig, keys: SigningKeys): ChannelSender & { close(): void } {
  const limiter = limiterOf(config, SMTP_CONCURRENCY);
  const server = { host: config.host, port: config.port, secure: config.secure, ...(config.user ? { user: config.user, password: config.password ?? '' } : {}), timeoutMs: config.timeoutMs ?? SMTP_TIMEOUT_MS };
  const connections = new SmtpConnections(server, SMTP_IDLE_MS);
  const sender = emailSender(config.from, config.replyTo, config.returnPath);
  return {
    name: 'smtp',
    send: (messages, now, options) => limiter.all(messages, (m) => deliver(connections, sender, m, config, keys, now, options?.committing), options?.starting, options?.settled),
    close: () => connections.close(),
  };
}

/** Why a message in doubt is held (Message.sendingAt): a dead letter an admin sends again if it never arrived. */
export const IN_DOUBT = 'in_doubt: the process sending it stopped after the server may have taken it; send it again from the dead letters if it did not arrive';

/** RFC 5321 replies to RCPT that say the mailbox will never take mail: 550 unavailable, 551 not local, 553 name not allowed. */
const HARD_BOUNCE = new Set([550, 551, 553]);

async function deliver(connections: SmtpConnections, sender: EmailSender, m: Message, config: SmtpConfig, keys: SigningKeys, now: () => number, committing: SendOptions['committing']): Promise<SendOutcome> {
  const done = (status: SendOutcome['status'], error?: string): SendOutcome => ({ id: m.id, status, at: now(), provider: 'smtp', ...(error === undefined ? {} : { error }) });
  // SMTP takes no idempotency key and cannot be asked what it took: an earlier claim that ended unrecorded after
  // its mark (the terminator was about to go out) may have delivered it. Held, never sent twice; without a
  // mark, its terminator never went out, and a server drops a message whose DATA did not end: sent again.
  if (mayHaveBeenSent(m) && m.sendingAt !== null) return done('dead', IN_DOUBT);
  const address = m.content?.to;
  if (!address) return done('failed', 'no_address');
  const html = m.content?.body ?? '';
  const headers: Record<string, string> = {};
  if (config.publicUrl) {
    const link = `${baseOf(config.publicUrl)}/v1/unsubscribe/${unsubscribeToken(keys.unsubscribe, m.userId, 'email')}`;
    headers['List-Unsubscribe'] = `<${link}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  const { raw, to } = composeEmail(sender, {
    to: address,
    subject: m.content?.subject ?? '',
    html: config.publicUrl && config.tracking !== false ? trackEmailHtml(html, m.id, config.publicUrl, keys.tracking) : html,
    text: htmlToText(html),
    messageId: messageIdOf(m.id, config.from),
    date: new Date(now()),
    headers,
  });
  if (to === null) return done('failed', 'invalid_address');
  // The end of DATA is the point of no return: its terminator goes out once the store holds the mark.
  let unmarked = false;
  const mark = committing && (() => committing(m).catch((error: unknown) => {
    unmarked = true;
    throw error;
  }));
  try {
    // Bounces go to the envelope sender (the return path): the header's From stays the one recipients see.
    await connections.send({ from: sender.envelopeFrom, to: [to] }, raw, mark);
    return done('sent');
  } catch (error) {
    // The mark not stored: the message never ended, so the server dropped it (unless it answered first: a refusal).
    if (unmarked && typeof (error as SmtpError).responseCode !== 'number') return done('transient', `mark_failed: ${String((error as Error)?.message ?? error).slice(0, 300)}`);
    const e = error as SmtpError;
    const code = typeof e.responseCode === 'number' ? e.responseCode : null;
    const why = `smtp_${code ?? e.code ?? 'error'}: ${(e.response ?? e.message ?? '').slice(0, 300)}`;
    // A hard bounce: the server refused the recipient itself (no such mailbox, not local, bad address syntax).
    // The address is kept as bounced and later sends to it are skipped; a 5xx for anything else (the content,
    // policy at DATA) fails this message only.
    if (code !== null && HARD_BOUNCE.has(code) && /^RCPT/i.test(e.command ?? '')) return { ...done('failed', why), deadAddress: address };
    return done(code !== null && code >= 500 && code < 600 ? 'failed' : 'transient', why);
  }
}
