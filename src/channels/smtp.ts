/**
 * Email over SMTP (nodemailer): the rendered subject and HTML body, a text part derived from the HTML, the
 * project's from and reply-to, and one-click unsubscribe headers (RFC 8058) pointing at Waymark's own
 * POST /v1/unsubscribe/<token>. With a public URL, the HTML's links and an open pixel are tracked
 * (email-tracking.ts); the text part keeps the links as written, readable. The Message-ID derives from the
 * message id, so a retry carries the same one.
 * SMTP answers: 4xx (and connection trouble, timeouts, a login refused) are transient; 5xx are permanent.
 */
import { createTransport } from 'nodemailer';
import type { Message, SendOutcome } from '../store/store.ts';
import type { ChannelSender } from './channel.ts';
import { trackEmailHtml } from './email-tracking.ts';
import { htmlToText } from './html-text.ts';
import { limiterOf } from './limiter.ts';
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
 * far more: `concurrency: 200` hides a 100 ms answer up to 2,000 emails a second.
 */
export const SMTP_CONCURRENCY = 50;

/** Idle connections are closed after this long without a message (they must not keep the process alive). */
export const SMTP_IDLE_MS = 1_000;

/**
 * The SMTP sender, and close() for its connections (when its settings change: they close once the messages
 * already handed to it are sent). One pool of connections serves batch after batch (the dispatcher hands
 * over the next while the last is in flight), closed once idle for SMTP_IDLE_MS.
 */
export function smtpSender(config: SmtpConfig, keys: SigningKeys): ChannelSender & { close(): void } {
  const timeout = config.timeoutMs ?? SMTP_TIMEOUT_MS;
  const limiter = limiterOf(config, SMTP_CONCURRENCY);
  const connect = () => createTransport({
    pool: true,
    // The limiter hands the pool no more messages than it has connections.
    maxConnections: limiter.limits.concurrency,
    // nodemailer's default (100) closes a connection after 100 messages, and a new one costs a handshake:
    // SMTP servers that cap messages per connection answer 421 (transient) and the message is retried.
    maxMessages: Infinity,
    host: config.host,
    port: config.port,
    secure: config.secure,
    ...(config.user ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
    // The content is rendered from profiles and events: it must never make the transport read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  let transport: ReturnType<typeof createTransport> | null = null;
  let batches = 0;
  let closing = false;
  let idle: NodeJS.Timeout | undefined;
  const closeTransport = () => {
    transport?.close();
    transport = null;
  };
  return {
    name: 'smtp',
    async send(messages, now, options) {
      clearTimeout(idle);
      batches += 1;
      const open = (transport ??= connect());
      try {
        return await limiter.all(messages, (m) => deliver(open, m, config, keys, now), options?.starting, options?.settled);
      } finally {
        batches -= 1;
        if (batches === 0) {
          if (closing) closeTransport();
          else idle = setTimeout(closeTransport, SMTP_IDLE_MS).unref();
        }
      }
    },
    close() {
      closing = true;
      clearTimeout(idle);
      if (batches === 0) closeTransport();
    },
  };
}

/** RFC 5321 replies to RCPT that say the mailbox will never take mail: 550 unavailable, 551 not local, 553 name not allowed. */
const HARD_BOUNCE = new Set([550, 551, 553]);

async function deliver(transport: ReturnType<typeof createTransport>, m: Message, config: SmtpConfig, keys: SigningKeys, now: () => number): Promise<SendOutcome> {
  const done = (status: SendOutcome['status'], error?: string): SendOutcome => ({ id: m.id, status, at: now(), provider: 'smtp', ...(error === undefined ? {} : { error }) });
  const to = m.content?.to;
  if (!to) return done('failed', 'no_address');
  const html = m.content?.body ?? '';
  const headers: Record<string, string> = {};
  if (config.publicUrl) {
    const link = `${baseOf(config.publicUrl)}/v1/unsubscribe/${unsubscribeToken(keys.unsubscribe, m.userId, 'email')}`;
    headers['List-Unsubscribe'] = `<${link}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  try {
    await transport.sendMail({
      from: config.from,
      to,
      ...(config.replyTo ? { replyTo: config.replyTo } : {}),
      // Bounces go to the envelope sender: the header's From stays the one recipients see.
      ...(config.returnPath ? { envelope: { from: config.returnPath, to } } : {}),
      subject: m.content?.subject ?? '',
      html: config.publicUrl && config.tracking !== false ? trackEmailHtml(html, m.id, config.publicUrl, keys.tracking) : html,
      text: htmlToText(html),
      messageId: messageIdOf(m.id, config.from),
      headers,
    });
    return done('sent');
  } catch (error) {
    const e = error as Error & { responseCode?: number; code?: string; response?: string; command?: string };
    const code = typeof e.responseCode === 'number' ? e.responseCode : null;
    const why = `smtp_${code ?? e.code ?? 'error'}: ${(e.response ?? e.message ?? '').slice(0, 300)}`;
    // A hard bounce: the server refused the recipient itself (no such mailbox, not local, bad address syntax).
    // The address is kept as bounced and later sends to it are skipped; a 5xx for anything else (the content,
    // policy at DATA) fails this message only.
    if (code !== null && HARD_BOUNCE.has(code) && /^RCPT/i.test(e.command ?? '')) return { ...done('failed', why), deadAddress: to };
    return done(code !== null && code >= 500 && code < 600 ? 'failed' : 'transient', why);
  }
}
