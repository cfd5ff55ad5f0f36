/**
 * Apple Push Notification service over HTTP/2: one connection per origin, kept and reused across sends (a
 * new one after GOAWAY, an error or a close), and a provider token (ES256 JWT: kid = key id, iss = team id,
 * iat) renewed every 50 minutes (Apple refuses one older than an hour, and one renewed more often than every
 * 20). POST /3/device/<token> with apns-topic (the bundle id), apns-push-type alert, apns-priority 10 and an
 * apns-id derived from the message id, so a retry carries the same one.
 * 200: sent. 410, or 400 BadDeviceToken: the token is dead (invalid_token). 403 ExpiredProviderToken: a new
 * provider token and one more try. A request the connection dropped unanswered (GOAWAY, a refused stream) goes
 * once more on a new connection. 429, 5xx, timeouts, connection trouble: transient.
 */
import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import http2 from 'node:http2';
import { parseRetryAfter } from '../core/retry.ts';
import type { Message, SendOutcome } from '../store/store.ts';
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
/** `refused`: the connection went away before APNs answered (GOAWAY, a refused stream): safe to send again on a new one. */
type Answer = { ok: true; status: number; headers: http2.IncomingHttpHeaders; body: string } | { ok: false; error: string; refused?: boolean };

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
  private readonly origin: string;
  private session: http2.ClientHttp2Session | null = null;
  private jwt: { value: string; issuedAt: number } | null = null;

  constructor(private readonly config: ApnsConfig) {
    this.key = createPrivateKey(config.key);
    this.origin = new URL(config.baseUrl ?? (config.production ? APNS_PRODUCTION : APNS_SANDBOX)).origin;
  }

  async send(m: Message, deviceToken: string, now: () => number): Promise<Outcome> {
    let reconnected = false;
    for (let attempt = 0; ; attempt++) {
      const answer = await this.post(m, deviceToken, this.providerToken(now, attempt > 0));
      if (!answer.ok && answer.refused && !reconnected) {
        reconnected = true;
        attempt--;
        continue;
      }
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

  /** Closes the connection (settings changed, or the process stops). */
  close(): void {
    this.session?.close();
    this.session = null;
  }

  private providerToken(now: () => number, renew: boolean): string {
    const at = now();
    if (renew || !this.jwt || at - this.jwt.issuedAt >= RENEW_MS) {
      this.jwt = { value: signJwt('ES256', { kid: this.config.keyId }, { iss: this.config.teamId, iat: Math.floor(at / 1000) }, this.key), issuedAt: at };
    }
    return this.jwt.value;
  }

  /** The open connection, or a new one that forgets itself once it goes away. */
  private connection(): http2.ClientHttp2Session {
    const open = this.session;
    if (open && !open.closed && !open.destroyed) return open;
    const session = http2.connect(this.origin);
    const forget = () => {
      if (this.session === session) this.session = null;
    };
    session.on('goaway', forget);
    session.on('close', forget);
    session.on('error', forget);
    // An idle connection must not keep the process alive; streams in flight keep it referenced.
    session.unref();
    this.session = session;
    return session;
  }

  private post(m: Message, deviceToken: string, jwt: string): Promise<Answer> {
    // Custom keys sit beside aps, where the app's notification handler reads them.
    const body = JSON.stringify({ ...m.content?.data, aps: { alert: { title: m.content?.title ?? '', body: m.content?.body ?? '' } } });
    return new Promise<Answer>((settle) => {
      let settled = false;
      let stream: http2.ClientHttp2Stream;
      let session: http2.ClientHttp2Session;
      let answered = false;
      const fail = (error: string) => {
        const refused = !answered && (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM || session.closed || session.destroyed);
        if (refused && this.session === session) this.session = null;
        finish({ ok: false, error, refused });
      };
      const finish = (answer: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        settle(answer);
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
      };
      const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), this.config.timeoutMs);
      try {
        session = this.connection();
        stream = session.request({
          ':method': 'POST',
          ':path': `/3/device/${deviceToken}`,
          authorization: `bearer ${jwt}`,
          'apns-topic': this.config.bundleId,
          'apns-push-type': 'alert',
          'apns-priority': '10',
          'apns-id': apnsIdOf(m.id),
          'content-type': 'application/json',
        });
      } catch (error) {
        this.session = null;
        clearTimeout(timer);
        settle({ ok: false, error: `connection_failed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, refused: true });
        return;
      }
      let headers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('response', (h) => {
        headers = h;
        answered = true;
      });
      stream.on('data', (chunk: Buffer) => {
        if (size < MAX_ANSWER) chunks.push(chunk.subarray(0, MAX_ANSWER - size));
        size += chunk.length;
      });
      stream.on('end', () => finish({ ok: true, status: Number(headers[':status'] ?? 0), headers, body: Buffer.concat(chunks).toString('utf8') }));
      stream.on('error', (error: NodeJS.ErrnoException) => fail(`connection_failed: ${error.code ?? error.message}`));
      stream.on('close', () => fail('connection_failed: stream closed'));
      stream.end(body);
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
