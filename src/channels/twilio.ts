/**
 * SMS and WhatsApp through Twilio's Messages API: each message is a form-encoded POST to
 * {base}/2010-04-01/Accounts/{AccountSid}/Messages.json with Basic auth (the account SID and auth token, or
 * an API key SID and secret). WhatsApp addresses are "whatsapp:+E.164" on To and From. A StatusCallback URL
 * is sent when Waymark's public URL is set, so Twilio reports delivery (api/routes/twilio.ts).
 * 201: sent, Twilio's message SID kept as the provider's id. 429, 5xx, timeouts and connection errors:
 * transient (Retry-After honoured). Any other answer: permanent, with Twilio's error code and message as the
 * reason; 21610 (the recipient replied STOP) also opts them out of the channel. With the public URL, each URL
 * of the text is sent as a short tracked link (sms-links.ts); the stored message keeps the text as rendered.
 * Twilio takes no idempotency key: a message an earlier claim may have posted (its process died mid-send) is
 * first looked for in Twilio's Messages list, and not sent again when found there (twilio-lookup.ts).
 */
import { parseRetryAfter } from '../core/retry.ts';
import type { Message, SendOutcome, Store } from '../store/store.ts';
import { mayHaveBeenSent, type ChannelSender } from './channel.ts';
import { httpRequest } from './http-request.ts';
import { limiterOf } from './limiter.ts';
import { lookUpSent } from './twilio-lookup.ts';
import { trackSmsLinks } from './sms-links.ts';

export interface TwilioConfig {
  accountSid: string;
  authToken?: string;
  apiKeySid?: string;
  apiKeySecret?: string;
  /** An E.164 number of the account, or else a Messaging Service. */
  from?: string;
  messagingServiceSid?: string;
  /** Waymark as Twilio reaches it: the base of the StatusCallback URL. */
  publicUrl?: string;
  /** Default https://api.twilio.com. */
  baseUrl?: string;
  timeoutMs?: number;
  /** Requests in flight at once (default TWILIO_CONCURRENCY). */
  concurrency?: number;
  /** Requests started a second at most (default: no limit). */
  ratePerSecond?: number;
  /** WhatsApp: To and From as whatsapp:+E.164. */
  whatsapp: boolean;
}

export const TWILIO_API = 'https://api.twilio.com';
export const TWILIO_TIMEOUT_MS = 10_000;
/** Twilio's error code for a recipient who replied STOP (or opted out of WhatsApp messages from this sender). */
export const TWILIO_UNSUBSCRIBED = 21610;
/** Requests in flight at once by default: Twilio's Messages API takes 100 at a time per account before it answers 429. */
export const TWILIO_CONCURRENCY = 50;

/** The path Twilio posts its status callbacks to, under the public URL. */
export const STATUS_CALLBACK_PATH = '/v1/twilio/status';

/** `base` without a trailing slash, so that a path can follow. */
export function trimmedBase(base: string): string {
  return base.replace(/\/+$/, '');
}

/** What SMS short links need: the store that keeps them and the project's tracking key (sms-links.ts). */
export interface ShortLinks {
  store: Store;
  key: Buffer;
}

/** With `links` and a public URL, each URL in a text becomes a short tracked link served by Waymark. */
export function twilioSender(config: TwilioConfig, links?: ShortLinks): ChannelSender {
  const url = new URL(`${trimmedBase(config.baseUrl ?? TWILIO_API)}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`);
  const user = config.apiKeySid ?? config.accountSid;
  const password = config.apiKeySid ? (config.apiKeySecret ?? '') : (config.authToken ?? '');
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const limiter = limiterOf(config, TWILIO_CONCURRENCY);
  return {
    name: 'twilio',
    send: (messages, now, options) => limiter.all(messages, async (m) => deliver(await withShortLinks(m, config, links, now), url, authorization, config, now), options?.starting, options?.settled),
  };
}

/** The message with each URL of its text made a short link (kept in the store), when short links are on. */
async function withShortLinks(m: Message, config: TwilioConfig, links: ShortLinks | undefined, now: () => number): Promise<Message> {
  if (!links || !config.publicUrl || !m.content?.body) return m;
  const body = await trackSmsLinks(links.store, links.key, m.content.body, m.id, config.publicUrl, now());
  return { ...m, content: { ...m.content, body } };
}

/** The form Twilio's Messages resource takes for one message. */
export function twilioForm(m: Message, config: TwilioConfig): URLSearchParams {
  const address = (number: string) => (config.whatsapp && !number.startsWith('whatsapp:') ? `whatsapp:${number}` : number);
  const form = new URLSearchParams();
  form.set('To', address(m.content?.to ?? ''));
  if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
  else form.set('From', address(config.from ?? ''));
  form.set('Body', m.content?.body ?? '');
  if (config.publicUrl) form.set('StatusCallback', `${trimmedBase(config.publicUrl)}${STATUS_CALLBACK_PATH}`);
  return form;
}

async function deliver(m: Message, url: URL, authorization: string, config: TwilioConfig, now: () => number): Promise<SendOutcome> {
  const done = (status: SendOutcome['status'], extra: Partial<SendOutcome> = {}): SendOutcome => ({ id: m.id, status, at: now(), provider: 'twilio', ...extra });
  if (!m.content?.to) return done('failed', { error: 'no_phone' });
  const form = twilioForm(m, config);
  if (mayHaveBeenSent(m)) {
    // Twilio takes no idempotency key: a text an earlier claim may have posted is looked for first.
    const found = await lookUpSent(m, form, url, authorization, config.timeoutMs ?? TWILIO_TIMEOUT_MS);
    if ('error' in found) return done('transient', { error: found.error });
    if (found.found !== null) return done('sent', { providerId: found.found });
  }
  // The senders' one HTTP client (kept-alive connections): fetch cost three times as much CPU a message.
  const answer = await httpRequest({
    method: 'POST',
    url,
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': 'Waymark/1' },
    body: form.toString(),
    timeoutMs: config.timeoutMs ?? TWILIO_TIMEOUT_MS,
    maxBytes: 64 * 1024,
  });
  if (!answer.ok) return done('transient', { error: answer.error });
  const body = parseJson(answer.body);
  if (answer.status === 201 || answer.status === 200) {
    const sid = typeof body?.sid === 'string' ? body.sid : undefined;
    return done('sent', sid === undefined ? {} : { providerId: sid });
  }
  const code = typeof body?.code === 'number' ? body.code : null;
  const reason = `twilio_${code ?? `http_${answer.status}`}${typeof body?.message === 'string' ? `: ${body.message.slice(0, 500)}` : ''}`;
  if (answer.status === 429 || answer.status >= 500) {
    const header = answer.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(Array.isArray(header) ? header[0] : header, now());
    return done('transient', { error: reason, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
  return done('failed', { error: reason, ...(code === TWILIO_UNSUBSCRIBED ? { optedOut: true } : {}) });
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
