/**
 * Webhook delivery: each message POSTs its rendered JSON body to its URL, signed per the Standard Webhooks
 * specification (webhook-id = the message id, so a receiver dedupes retries; webhook-timestamp in seconds;
 * webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed by the secret's decoded bytes).
 * 2xx: sent. 408, 429, 5xx, timeouts and connection errors: transient (retried; Retry-After honoured).
 * Other answers: permanent (redirects are not followed). Addresses are guarded (address-guard.ts).
 */
import { createHmac } from 'node:crypto';
import { parseRetryAfter } from '../core/retry.ts';
import type { Message, SendOutcome } from '../store/store.ts';
import { resolveHost, type Resolved } from './address-guard.ts';
import type { ChannelSender } from './channel.ts';
import { limiterOf } from './limiter.ts';
import { httpRequest } from './http-request.ts';

export interface WebhookConfig {
  /** whsec_ followed by the base64 of 24 to 64 random bytes. */
  secret: string;
  /** Per request, connection included. Default 10 s. */
  timeoutMs?: number;
  /** Hosts exempt from the address guard (exact names or IP literals), e.g. an internal service on purpose. */
  allowHosts?: string[];
  /** Requests in flight at once (default WEBHOOK_CONCURRENCY). */
  concurrency?: number;
  /** Requests started a second at most (default: no limit). */
  ratePerSecond?: number;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Requests in flight at once by default: a receiver of one's own is rarely sized for more. */
export const WEBHOOK_CONCURRENCY = 50;

/** The HMAC key behind a whsec_ secret: its base64 part decoded. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.slice('whsec_'.length), 'base64');
}

/** The webhook-signature header's value. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export function webhookSender(config: WebhookConfig, resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>): ChannelSender {
  const timeoutMs = config.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const allow = config.allowHosts ?? [];
  const limiter = limiterOf(config, WEBHOOK_CONCURRENCY);
  return {
    name: 'webhook',
    send: (messages, now, options) => limiter.all(messages, (m) => deliver(m, config.secret, timeoutMs, allow, now, resolve), options?.starting, options?.settled),
  };
}

async function deliver(
  m: Message,
  secret: string,
  timeoutMs: number,
  allow: readonly string[],
  now: () => number,
  resolve?: (host: string) => Promise<Array<{ address: string; family: number }>>,
): Promise<SendOutcome> {
  const done = (status: SendOutcome['status'], error?: string, retryAfterMs?: number): SendOutcome => ({
    id: m.id,
    status,
    at: now(),
    provider: 'webhook',
    ...(error === undefined ? {} : { error }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
  let url: URL;
  try {
    url = new URL(m.content?.url ?? '');
  } catch {
    return done('failed', 'invalid_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return done('failed', 'invalid_url: only http and https');
  if (url.username || url.password) return done('failed', 'invalid_url: no credentials in the URL');
  const target: Resolved = await resolveHost(url.hostname, allow, resolve);
  if (!target.ok) return done(target.blocked ? 'failed' : 'transient', target.reason);

  const body = m.content?.body ?? '';
  const timestamp = Math.floor(now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Waymark-Webhooks/1',
    'webhook-id': m.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature(secret, m.id, timestamp, body),
  };
  // Connect to the address checked above, whatever the name resolves to now. Only the status matters: the
  // answer's body is not read, however long (or slow) it is.
  const answer = await httpRequest({ method: 'POST', url, headers, body, timeoutMs, maxBytes: 0, pinned: { address: target.address, family: target.family } });
  if (!answer.ok) return done('transient', answer.error);
  const status = answer.status;
  if (status >= 200 && status < 300) return done('sent');
  if (status === 408 || status === 429 || status >= 500) return done('transient', `http_${status}`, parseRetryAfter(answer.headers['retry-after'], now()));
  return done('failed', `http_${status}${status >= 300 && status < 400 ? ': redirects are not followed' : ''}`);
}
