/**
 * Web Push (RFC 8030) to a browser's push subscription: the web-push package encrypts the payload (RFC 8291,
 * aes128gcm) and signs the VAPID header (RFC 8292); the request itself goes through the senders' HTTP helper,
 * with its deadline and bounded read, to the subscription's endpoint after the address guard (the endpoint
 * comes from a profile trait: it must not reach the machine Waymark runs on or its network). The message's
 * collapse key (collapse-key.ts) goes as the Topic header and as the payload's tag.
 * 2xx: sent. 404, 410, or a subscription that cannot be used: the token is dead (invalid_token). 429, 5xx,
 * timeouts, connection trouble: transient. Other answers: permanent.
 */
import webpush from 'web-push';
import { parseRetryAfter } from '../core/retry.ts';
import type { Message, SendOutcome } from '../store/store.ts';
import { resolveHost } from './address-guard.ts';
import { collapseKeyOf } from './collapse-key.ts';
import { httpRequest } from './http-request.ts';

export interface WebPushConfig {
  /** VAPID keys, base64url: the public key a 65-byte P-256 point, the private key 32 bytes. */
  publicKey: string;
  privateKey: string;
  /** mailto: or https: URL: whom the push service can contact. */
  subject: string;
  /** Seconds the push service keeps an undelivered message. */
  ttlSeconds: number;
  timeoutMs: number;
  /** Hosts the address guard lets through (and that may be plain http): tests' 127.0.0.1. */
  allowHosts: string[];
}

export const WEB_PUSH_TTL_SECONDS = 24 * 3600;

export interface Subscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/** A push token that is a Web Push subscription (PushSubscription.toJSON()), else null. */
export function subscriptionOf(token: string): Subscription | null {
  if (!token.trimStart().startsWith('{')) return null;
  try {
    const s = JSON.parse(token) as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } };
    if (typeof s.endpoint !== 'string' || typeof s.keys !== 'object' || s.keys === null) return null;
    return { endpoint: s.endpoint, keys: { p256dh: String(s.keys.p256dh ?? ''), auth: String(s.keys.auth ?? '') } };
  } catch {
    return null;
  }
}

type Outcome = Omit<SendOutcome, 'id' | 'at' | 'provider'>;

export async function sendWebPush(config: WebPushConfig, m: Message, token: string, subscription: Subscription, now: () => number): Promise<Outcome> {
  const dead: Outcome = { status: 'failed', error: 'invalid_token', deadAddress: token };
  let url: URL;
  try {
    url = new URL(subscription.endpoint);
  } catch {
    return dead;
  }
  const allowed = config.allowHosts.some((h) => h.toLowerCase() === url.hostname.toLowerCase());
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) return dead;
  const target = await resolveHost(url.hostname, config.allowHosts);
  if (!target.ok) return target.blocked ? { status: 'failed', error: `${target.reason}: the subscription's endpoint` } : { status: 'transient', error: target.reason };

  // Topic replaces a copy still waiting at the push service; tag, passed to showNotification, one already shown.
  const collapse = collapseKeyOf(m.id);
  const payload = JSON.stringify({ ...m.content?.data, title: m.content?.title ?? '', body: m.content?.body ?? '', messageId: m.id, tag: collapse });
  let details: { headers: Record<string, string | number>; body: Buffer | null };
  try {
    details = webpush.generateRequestDetails(subscription, payload, {
      vapidDetails: { subject: config.subject, publicKey: config.publicKey, privateKey: config.privateKey },
      TTL: config.ttlSeconds,
      topic: collapse,
    }) as unknown as typeof details;
  } catch {
    return dead; // the subscription's keys are not a usable P-256 key and auth secret
  }
  const headers = Object.fromEntries(Object.entries(details.headers).filter(([k]) => k.toLowerCase() !== 'content-length').map(([k, v]) => [k, String(v)]));
  const answer = await httpRequest({ method: 'POST', url, headers, body: details.body ?? '', timeoutMs: config.timeoutMs, maxBytes: 4096, pinned: { address: target.address, family: target.family } });
  if (!answer.ok) return { status: 'transient', error: answer.error };
  const { status } = answer;
  if (status >= 200 && status < 300) return { status: 'sent' };
  if (status === 404 || status === 410) return dead;
  const why = `webpush_${status}${answer.body ? `: ${answer.body.slice(0, 200)}` : ''}`;
  if (status === 429 || status >= 500) {
    const ms = parseRetryAfter(answer.headers['retry-after'], now());
    return { status: 'transient', error: why, ...(ms === undefined ? {} : { retryAfterMs: ms }) };
  }
  return { status: 'failed', error: why };
}
