/**
 * Apple Push Notification service over HTTP/2: connections kept and reused across sends (http2-origin.ts: a
 * new one after GOAWAY, an error or a close, or when the open ones carry all the streams APNs allows), and a
 * provider token (ES256 JWT: kid = key id, iss = team id, iat) renewed every 50 minutes (Apple refuses one
 * older than an hour, and one renewed more often than every 20). POST /3/device/<token> with apns-topic (the
 * bundle id), apns-push-type alert, apns-priority 10, an apns-id derived from the message id, so a retry
 * carries the same one, and an apns-collapse-id (collapse-key.ts), so a second copy replaces the first on the device.
 * 200: sent. 410, or 400 BadDeviceToken: the token is dead (invalid_token). 403 ExpiredProviderToken: a new
 * provider token and one more try. A request the connection dropped unanswered (GOAWAY, a refused stream) goes
 * once more on a new connection. 429, 5xx, timeouts, connection trouble: transient.
 */
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { parseRetryAfter } from '../core/retry.ts';
import type { Message, SendOutcome } from '../store/store.ts';
import { collapseKeyOf } from './collapse-key.ts';
import { Http2Origin, type Http2Answer } from './http2-origin.ts';
import { signJwt } from './jwt.ts';

export interface ApnsConfig {
  teamId: string;
  keyId: string;
  /** The .p8 key: PEM, EC P-256. */
  key: string;
  /** The app's bundle id: the apns-topic. */
  bundleId: string;
  production: boolean;
  /** Replaces the origin that `production` picks (tests: http://127.0.0.1:<port>, HTTP/2 in cleartext). */
  baseUrl?: string;
  timeoutMs: number;
}

export const APNS_PRODUCTION = 'https://api.push.apple.com';
export const APNS_SANDBOX = 'https://api.sandbox.push.apple.com';
const RENEW_MS = 50 * 60_000;
const MAX_ANSWER = 16 * 1024;
/** Reasons that say the device token itself is no good (Apple's documented 400 and 410 reasons). */
const DEAD_TOKEN = new Set(['BadDeviceToken', 'Unregistered', 'ExpiredToken']);

type Outcome = Omit<SendOutcome, 'id' | 'at' | 'provider'>;

/** A name-based UUID (version 5 layout) of the message id: the same message always has the same apns-id. */
export function apnsIdOf(messageId: string): string {
  const b = createHash('sha1').update(`waymark apns-id\u0000${messageId}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class ApnsClient {
  private readonly key: KeyObject;
  private readonly origin: Http2Origin;
  private jwt: { value: string; issuedAt: number } | null = null;

  constructor(private readonly config: ApnsConfig) {
    this.key = createPrivateKey(config.key);
    this.origin = new Http2Origin(new URL(config.baseUrl ?? (config.production ? APNS_PRODUCTION : APNS_SANDBOX)).origin);
  }

  async send(m: Message, deviceToken: string, now: () => number): Promise<Outcome> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.post(m, deviceToken, this.providerToken(now, attempt > 0));
      if (!answer.ok) return { status: 'transient', error: answer.error };
      const { status } = answer;
      if (status === 200) return { status: 'sent' };
      const reason = reasonOf(answer.body);
      if (status === 403 && reason === 'ExpiredProviderToken' && attempt === 0) continue;
      const why = `apns_${status}${reason ? `: ${reason}` : ''}`;
      if (status === 410 || (status === 400 && DEAD_TOKEN.has(reason))) return { status: 'failed', error: 'invalid_token', deadAddress: deviceToken };
      if (status === 429 || status >= 500 || status === 403) {
        const ms = parseRetryAfter(answer.headers['retry-after'] as string | undefined, now());
        return { status: 'transient', error: why, ...(ms === undefined ? {} : { retryAfterMs: ms }) };
      }
      return { status: 'failed', error: why };
    }
  }

  /** Closes the connections (settings changed, or the process stops). */
  close(): void {
    this.origin.close();
  }

  private providerToken(now: () => number, renew: boolean): string {
    const at = now();
    if (renew || !this.jwt || at - this.jwt.issuedAt >= RENEW_MS) {
      this.jwt = { value: signJwt('ES256', { kid: this.config.keyId }, { iss: this.config.teamId, iat: Math.floor(at / 1000) }, this.key), issuedAt: at };
    }
    return this.jwt.value;
  }

  private post(m: Message, deviceToken: string, jwt: string): Promise<Http2Answer> {
    // Custom keys sit beside aps, where the app's notification handler reads them.
    const body = JSON.stringify({ ...m.content?.data, aps: { alert: { title: m.content?.title ?? '', body: m.content?.body ?? '' } } });
    return this.origin.requestResendingRefused({
      headers: {
        ':method': 'POST',
        ':path': `/3/device/${deviceToken}`,
        authorization: `bearer ${jwt}`,
        'apns-topic': this.config.bundleId,
        'apns-push-type': 'alert',
        'apns-priority': '10',
        'apns-id': apnsIdOf(m.id),
        'apns-collapse-id': collapseKeyOf(m.id),
        'content-type': 'application/json',
      },
      body,
      timeoutMs: this.config.timeoutMs,
      maxBytes: MAX_ANSWER,
    });
  }
}

function reasonOf(body: string): string {
  try {
    const reason = (JSON.parse(body) as { reason?: unknown }).reason;
    return typeof reason === 'string' ? reason : '';
  } catch {
    return '';
  }
}
