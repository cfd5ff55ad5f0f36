/**
 * Firebase Cloud Messaging, HTTP v1: an OAuth2 access token from the service account (the JWT-bearer grant:
 * an RS256 assertion signed with its private_key, POSTed to its token_uri), kept until a minute before it
 * expires and fetched again once when FCM answers 401; then POST /v1/projects/<project>/messages:send, over
 * HTTP/2 (http2-origin.ts), as Firebase's own Admin SDK sends, with the message's collapse key (collapse-key.ts)
 * as the Android tag, the iOS apns-collapse-id and the web tag. A request the connection dropped unanswered
 * (GOAWAY, a refused stream) goes once more on a new connection.
 * 2xx: sent. 404 UNREGISTERED, or 400 INVALID_ARGUMENT about the token: the token is dead (invalid_token).
 * 429, 5xx, timeouts, and trouble getting a token: transient (a fixed service account delivers on retry).
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { parseRetryAfter } from '../core/retry.ts';
import type { Message, SendOutcome } from '../store/store.ts';
import { collapseKeyOf } from './collapse-key.ts';
import { httpRequest } from './http-request.ts';
import { Http2Origin } from './http2-origin.ts';
import { signJwt } from './jwt.ts';

export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri: string;
}

export interface FcmConfig {
  serviceAccount: ServiceAccount;
  /** Default https://fcm.googleapis.com. */
  baseUrl?: string;
  timeoutMs: number;
}

export const FCM_BASE_URL = 'https://fcm.googleapis.com';
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** A token is fetched again this long before it expires. */
const EARLY_MS = 60_000;
const MAX_ANSWER = 64 * 1024;

type Outcome = Omit<SendOutcome, 'id' | 'at' | 'provider'>;
type Token = { ok: true; value: string; expiresAt: number } | { ok: false; error: string; retryAfterMs?: number };

export class FcmClient {
  private readonly key: KeyObject;
  private token: Token & { ok: true } | null = null;
  private fetching: Promise<Token> | null = null;
  private readonly origin: Http2Origin;
  /** Built once, not per push. */
  private readonly sendPath: string;

  constructor(private readonly config: FcmConfig) {
    this.key = createPrivateKey(config.serviceAccount.private_key);
    const url = new URL(`${(config.baseUrl ?? FCM_BASE_URL).replace(/\/+$/, '')}/v1/projects/${encodeURIComponent(config.serviceAccount.project_id)}/messages:send`);
    this.origin = new Http2Origin(url.origin);
    this.sendPath = url.pathname;
  }

  async send(m: Message, deviceToken: string, now: () => number): Promise<Outcome> {
    let token = await this.accessToken(now, false);
    for (let attempt = 0; ; attempt++) {
      if (!token.ok) return { status: 'transient', error: token.error, ...(token.retryAfterMs === undefined ? {} : { retryAfterMs: token.retryAfterMs }) };
      const answer = await this.post(m, deviceToken, token.value);
      if (!answer.ok) return { status: 'transient', error: answer.error };
      const { status } = answer;
      if (status === 401 && attempt === 0) {
        token = await this.accessToken(now, true); // revoked or expired early: one fresh token, one more try
        continue;
      }
      if (status >= 200 && status < 300) return { status: 'sent' };
      const error = errorOf(answer.body);
      const why = `fcm_${status}${error.code ? ` ${error.code}` : ''}: ${error.message}`.slice(0, 300);
      if (status === 429 || status >= 500 || status === 401) return { status: 'transient', error: why, ...retryAfter(answer.headers['retry-after'], now()) };
      if (status === 404 || (status === 400 && error.aboutToken)) return { status: 'failed', error: 'invalid_token', deadAddress: deviceToken };
      return { status: 'failed', error: why };
    }
  }

  private post(m: Message, deviceToken: string, accessToken: string) {
    // The same tag and collapse id on every attempt: a second copy replaces the first on Android, iOS and the web.
    const collapse = collapseKeyOf(m.id);
    const body = JSON.stringify({
      message: {
        token: deviceToken,
        notification: { title: m.content?.title ?? '', body: m.content?.body ?? '' },
        data: { ...m.content?.data, messageId: m.id, journeyId: m.journeyId, nodeId: m.nodeId },
        android: { notification: { tag: collapse } },
        apns: { headers: { 'apns-collapse-id': collapse } },
        webpush: { notification: { tag: collapse } },
      },
    });
    return this.origin.requestResendingRefused({
      headers: { ':method': 'POST', ':path': this.sendPath, authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=utf-8' },
      body,
      timeoutMs: this.config.timeoutMs,
      maxBytes: MAX_ANSWER,
    });
  }

  /** Closes the connections (settings changed, or the process stops). */
  close(): void {
    this.origin.close();
  }

  /** The cached token while it has more than a minute left (unless `renew`); else a new one, one fetch at a time. */
  private accessToken(now: () => number, renew: boolean): Promise<Token> {
    if (!renew && this.token && now() < this.token.expiresAt - EARLY_MS) return Promise.resolve(this.token);
    this.fetching ??= this.fetchToken(now).finally(() => {
      this.fetching = null;
    });
    return this.fetching;
  }

  private async fetchToken(now: () => number): Promise<Token> {
    const account = this.config.serviceAccount;
    const iat = Math.floor(now() / 1000);
    const assertion = signJwt(
      'RS256',
      account.private_key_id ? { kid: account.private_key_id } : {},
      { iss: account.client_email, scope: FCM_SCOPE, aud: account.token_uri, iat, exp: iat + 3600 },
      this.key,
    );
    const answer = await httpRequest({
      method: 'POST',
      url: new URL(account.token_uri),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      timeoutMs: this.config.timeoutMs,
      maxBytes: MAX_ANSWER,
    });
    if (!answer.ok) return { ok: false, error: `fcm_auth: ${answer.error}` };
    let parsed: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      // reported below as an answer without a token
    }
    if (answer.status !== 200 || typeof parsed.access_token !== 'string') {
      const why = [parsed.error, parsed.error_description].filter((x) => typeof x === 'string').join(': ') || 'no access_token';
      return { ok: false, error: `fcm_auth: token endpoint answered ${answer.status}: ${why}`.slice(0, 300), ...retryAfter(answer.headers['retry-after'], now()) };
    }
    const seconds = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 3600;
    this.token = { ok: true, value: parsed.access_token, expiresAt: now() + seconds * 1000 };
    return this.token;
  }
}

function retryAfter(header: string | string[] | undefined, now: number): { retryAfterMs?: number } {
  const ms = parseRetryAfter(Array.isArray(header) ? header[0] : header, now);
  return ms === undefined ? {} : { retryAfterMs: ms };
}

/** FCM's error body (google.rpc.Status): its code, message, and whether it is about the message's token. */
function errorOf(body: string): { code: string; message: string; aboutToken: boolean } {
  try {
    const e = (JSON.parse(body) as { error?: { status?: string; message?: string; details?: Array<{ errorCode?: string; fieldViolations?: Array<{ field?: string }> }> } }).error ?? {};
    const details = e.details ?? [];
    const code = details.find((d) => typeof d.errorCode === 'string')?.errorCode ?? e.status ?? '';
    const aboutToken =
      code === 'UNREGISTERED' ||
      details.some((d) => d.fieldViolations?.some((v) => v.field === 'message.token')) ||
      /registration token/i.test(e.message ?? '');
    return { code, message: e.message ?? '', aboutToken };
  } catch {
    return { code: '', message: body.slice(0, 200), aboutToken: false };
  }
}
