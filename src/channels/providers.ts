/**
 * Provider settings per channel, as the API takes them and the store keeps them: which provider delivers a
 * channel's messages (email: SMTP; webhook: signed HTTP POSTs; push: FCM, APNs and Web Push; SMS and WhatsApp: Twilio), and its settings. Secrets are write-only:
 * kept in the store, never returned (shown as { set: true }), kept as they are when an update leaves them out.
 * A channel without settings stays on the built-in outbox; the in-app inbox needs none (storing is delivering).
 */
import Type, { type Static } from 'typebox';
import type { Channel } from '../core/channels.ts';
import type { Problem } from '../core/problem.ts';
import { isHttpUrl } from './http-request.ts';
import { MAX_CONCURRENCY, RatePerSecond } from './limiter.ts';
import { pushProblems, PushSettings } from './push-settings.ts';
import type { SmtpConfig } from './smtp.ts';
import type { TwilioConfig } from './twilio.ts';
import type { WebhookConfig } from './webhook.ts';

export { PushSettings, pushConfigOf } from './push-settings.ts';

export const SmtpSettings = Type.Object(
  {
    provider: Type.Literal('smtp'),
    host: Type.String({ minLength: 1, maxLength: 255 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    secure: Type.Optional(Type.Boolean({ description: 'TLS from the start (port 465); else STARTTLS when the server offers it. Default false' })),
    user: Type.Optional(Type.String({ maxLength: 255 })),
    password: Type.Optional(Type.String({ maxLength: 1000, description: 'Write-only: never returned; leave it out of an update to keep the one set' })),
    from: Type.String({ minLength: 3, maxLength: 320, description: '"Name <address>" or an address' }),
    replyTo: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
    returnPath: Type.Optional(
      Type.String({ minLength: 3, maxLength: 320, description: "The envelope sender (MAIL FROM), a bare address: where mail servers send bounces, e.g. a mailbox piped to POST /v1/bounces. Default: the from address" }),
    ),
    publicUrl: Type.Optional(
      Type.String({ maxLength: 2000, description: 'Waymark as recipients reach it (https://...): the base of the one-click unsubscribe links and of the tracked links and open pixel. Without it, no List-Unsubscribe header and no tracking' }),
    ),
    tracking: Type.Optional(Type.Boolean({ description: 'Track opens (a 1x1 pixel) and clicks (links through Waymark) of the emails, with a public URL. Default true' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 120_000, description: 'Per SMTP step. Default 10000' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONCURRENCY, description: 'SMTP connections at once, each sending one message after another: throughput is about this many per answer time. Default 200; lower it to what the relay takes' })),
    ratePerSecond: RatePerSecond,
  },
  { additionalProperties: false },
);

export const WebhookSettings = Type.Object(
  {
    provider: Type.Literal('webhook'),
    secret: Type.Optional(Type.String({ maxLength: 200, description: 'whsec_ and the base64 of 24 to 64 random bytes (Standard Webhooks). Write-only; required the first time' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'Per request. Default 10000' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONCURRENCY, description: 'Requests in flight at once: throughput is about this many per answer time. Default 50' })),
    ratePerSecond: RatePerSecond,
    allowHosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100, description: 'Hosts a webhook may reach although they are loopback or private addresses' })),
  },
  { additionalProperties: false },
);

const WRITE_ONLY = 'Write-only: never returned; leave it out of an update to keep the one set';

export const TwilioSettings = Type.Object(
  {
    provider: Type.Literal('twilio'),
    accountSid: Type.String({ maxLength: 64, description: 'AC followed by 32 hex digits (Twilio console, Account Info)' }),
    authToken: Type.Optional(Type.String({ maxLength: 200, description: `The account's auth token: Basic auth unless an API key is given, and the key of X-Twilio-Signature on callbacks. ${WRITE_ONLY}` })),
    apiKeySid: Type.Optional(Type.String({ maxLength: 64, description: 'SK followed by 32 hex digits: an API key to authenticate with instead of the auth token' })),
    apiKeySecret: Type.Optional(Type.String({ maxLength: 200, description: `The API key's secret. ${WRITE_ONLY}` })),
    from: Type.Optional(Type.String({ maxLength: 32, description: 'The sending number, E.164 (+14155550100); for WhatsApp, the WhatsApp-enabled number (whatsapp: is added). Or messagingServiceSid' })),
    messagingServiceSid: Type.Optional(Type.String({ maxLength: 64, description: 'MG followed by 32 hex digits: a Messaging Service to send from, instead of from' })),
    publicUrl: Type.Optional(Type.String({ maxLength: 2000, description: 'Waymark as Twilio reaches it (https://...): the base of the StatusCallback URL and of the URLs callbacks are signed for. Without it, no delivery callbacks' })),
    baseUrl: Type.Optional(Type.String({ maxLength: 2000, description: "Twilio's API base. Default https://api.twilio.com (another only for tests or a proxy)" })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'Per request. Default 10000' })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONCURRENCY, description: 'Requests in flight at once: throughput is about this many per answer time. Default 50' })),
    ratePerSecond: RatePerSecond,
  },
  { additionalProperties: false },
);

export const ProviderSettings = Type.Union([SmtpSettings, WebhookSettings, PushSettings, TwilioSettings]);
export type ProviderSettings = Static<typeof ProviderSettings>;

/** The provider each channel can have; a channel missing here has only the outbox (the inbox needs none). */
export const PROVIDER_OF: Partial<Record<Channel, ProviderSettings['provider']>> = { push: 'push', sms: 'twilio', whatsapp: 'twilio', email: 'smtp', webhook: 'webhook' };

/** Where the secrets are: a field, or a field of one of the settings' objects (push's per route). */
const SECRET_PATHS: ReadonlyArray<readonly string[]> = [['password'], ['secret'], ['authToken'], ['apiKeySecret'], ['fcm', 'serviceAccount'], ['apns', 'key'], ['webpush', 'privateKey']];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object holding the last field of `path`, if there is one. */
function parentOf(root: Record<string, unknown>, path: readonly string[]): Record<string, unknown> | null {
  let at: unknown = root;
  for (const key of path.slice(0, -1)) at = isObject(at) ? at[key] : undefined;
  return isObject(at) ? at : null;
}

/** The names of the write-only fields: never returned by the API, redacted from logs (ops/logger.ts matches them by name). */
export const SECRET_FIELDS: readonly string[] = [...new Set(SECRET_PATHS.map((path) => path.at(-1)!))];

/**
 * The settings to keep for `channel` from a PUT body and what was kept before (secrets left out are kept),
 * or the problems with them.
 */
export function settingsToKeep(channel: Channel, body: ProviderSettings, before: Record<string, unknown> | null): { settings: ProviderSettings } | { problems: Problem[] } {
  const expected = PROVIDER_OF[channel];
  if (channel === 'inbox') return { problems: [{ path: '/provider', message: 'the inbox needs no provider: its messages are delivered by being stored, for the app to read (GET /v1/inbox/:userId)' }] };
  if (!expected) return { problems: [{ path: '/provider', message: `${channel} has no provider yet: its messages stay in the built-in outbox` }] };
  if (body.provider !== expected) return { problems: [{ path: '/provider', message: `must be "${expected}" for ${channel}` }] };
  const settings = structuredClone(body) as Record<string, unknown>;
  if (before && before.provider === body.provider) {
    for (const path of SECRET_PATHS) {
      const field = path[path.length - 1]!;
      const into = parentOf(settings, path);
      const was = parentOf(before, path)?.[field];
      if (into && into[field] === undefined && typeof was === 'string') into[field] = was;
    }
  }
  const problems: Problem[] = [];
  if (settings.provider === 'push') problems.push(...pushProblems(settings as PushSettings));
  else if (body.provider === 'smtp') {
    if (!/@[^\s@>]+>?\s*$/.test(body.from)) problems.push({ path: '/from', message: 'must be an email address, or "Name <address>"' });
    if (body.replyTo !== undefined && !/@[^\s@>]+>?\s*$/.test(body.replyTo)) problems.push({ path: '/replyTo', message: 'must be an email address, or "Name <address>"' });
    if (body.returnPath !== undefined && !/^[^\s@<>"]+@[^\s@<>"]+$/.test(body.returnPath)) problems.push({ path: '/returnPath', message: 'must be an email address alone (bounces@shop.example), no name' });
    if (body.publicUrl !== undefined && !isHttpUrl(body.publicUrl)) problems.push({ path: '/publicUrl', message: 'must be an http(s) URL, e.g. https://waymark.example.com' });
    if (body.password !== undefined && body.user === undefined) problems.push({ path: '/user', message: 'is needed with a password' });
  } else if (body.provider === 'twilio') {
    problems.push(...twilioProblems(settings as Static<typeof TwilioSettings>));
  } else if (body.provider === 'webhook') {
    const secret = settings.secret;
    if (typeof secret !== 'string') problems.push({ path: '/secret', message: 'is required (whsec_ and the base64 of 24 to 64 random bytes, e.g. "whsec_" + `openssl rand -base64 32`)' });
    else if (!validSecret(secret)) problems.push({ path: '/secret', message: 'must be whsec_ followed by the base64 of 24 to 64 bytes' });
  }
  return problems.length > 0 ? { problems } : { settings: settings as ProviderSettings };
}

const SID = (prefix: string) => new RegExp(`^${prefix}[0-9a-fA-F]{32}$`);

/** What is wrong with Twilio settings, secrets kept from before included. */
function twilioProblems(s: Static<typeof TwilioSettings>): Problem[] {
  const problems: Problem[] = [];
  if (!SID('AC').test(s.accountSid)) problems.push({ path: '/accountSid', message: 'must be AC followed by 32 hex digits (Twilio console, Account Info)' });
  if (s.apiKeySid !== undefined && !SID('SK').test(s.apiKeySid)) problems.push({ path: '/apiKeySid', message: 'must be SK followed by 32 hex digits' });
  if (s.apiKeySid !== undefined && s.apiKeySecret === undefined) problems.push({ path: '/apiKeySecret', message: 'is needed with an apiKeySid' });
  if (s.apiKeySecret !== undefined && s.apiKeySid === undefined) problems.push({ path: '/apiKeySid', message: 'is needed with an apiKeySecret' });
  if (s.apiKeySid === undefined && s.authToken === undefined) problems.push({ path: '/authToken', message: 'is required, unless apiKeySid and apiKeySecret are given' });
  if (s.from === undefined && s.messagingServiceSid === undefined) problems.push({ path: '/from', message: 'is required (an E.164 number such as +14155550100), unless messagingServiceSid is given' });
  if (s.from !== undefined && s.messagingServiceSid !== undefined) problems.push({ path: '/messagingServiceSid', message: 'give from or messagingServiceSid, not both' });
  if (s.from !== undefined && !/^\+[1-9]\d{6,14}$/.test(s.from)) problems.push({ path: '/from', message: 'must be an E.164 number, e.g. +14155550100' });
  if (s.messagingServiceSid !== undefined && !SID('MG').test(s.messagingServiceSid)) problems.push({ path: '/messagingServiceSid', message: 'must be MG followed by 32 hex digits' });
  if (s.publicUrl !== undefined && !isHttpUrl(s.publicUrl)) problems.push({ path: '/publicUrl', message: 'must be an http(s) URL, e.g. https://waymark.example.com' });
  if (s.baseUrl !== undefined && !isHttpUrl(s.baseUrl)) problems.push({ path: '/baseUrl', message: 'must be an http(s) URL, e.g. https://api.twilio.com' });
  return problems;
}

function validSecret(secret: string): boolean {
  if (!secret.startsWith('whsec_')) return false;
  const b64 = secret.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return false;
  const bytes = Buffer.from(b64, 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/**
 * The settings as the API shows them: every secret set is { set: true }, never its value. In name order,
 * whatever order the store keeps them in (PostgreSQL's jsonb has its own).
 */
export function redacted(settings: Record<string, unknown>, at: readonly string[] = []): Record<string, unknown> {
  const under = SECRET_PATHS.filter((p) => p.length > at.length && at.every((k, i) => p[i] === k));
  return Object.fromEntries(
    Object.keys(settings)
      .sort()
      .map((k) => {
        const value = settings[k];
        if (under.some((p) => p.length === at.length + 1 && p[at.length] === k)) return [k, { set: true }];
        if (isObject(value) && under.some((p) => p[at.length] === k)) return [k, redacted(value, [...at, k])];
        return [k, value];
      }),
  );
}

export function smtpConfigOf(s: Static<typeof SmtpSettings>): SmtpConfig {
  return {
    host: s.host, port: s.port, secure: s.secure ?? false, from: s.from,
    ...(s.user === undefined ? {} : { user: s.user }),
    ...(s.password === undefined ? {} : { password: s.password }),
    ...(s.replyTo === undefined ? {} : { replyTo: s.replyTo }),
    ...(s.returnPath === undefined ? {} : { returnPath: s.returnPath }),
    ...(s.publicUrl === undefined ? {} : { publicUrl: s.publicUrl }),
    ...(s.tracking === undefined ? {} : { tracking: s.tracking }),
    ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }),
    ...(s.concurrency === undefined ? {} : { concurrency: s.concurrency }),
    ...(s.ratePerSecond === undefined ? {} : { ratePerSecond: s.ratePerSecond }),
  };
}

export function webhookConfigOf(s: Static<typeof WebhookSettings>): WebhookConfig {
  return {
    secret: s.secret ?? '',
    ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }),
    ...(s.allowHosts === undefined ? {} : { allowHosts: s.allowHosts }),
    ...(s.concurrency === undefined ? {} : { concurrency: s.concurrency }),
    ...(s.ratePerSecond === undefined ? {} : { ratePerSecond: s.ratePerSecond }),
  };
}

export function twilioConfigOf(s: Static<typeof TwilioSettings>, channel: Channel): TwilioConfig {
  return {
    accountSid: s.accountSid, whatsapp: channel === 'whatsapp',
    ...(s.authToken === undefined ? {} : { authToken: s.authToken }),
    ...(s.apiKeySid === undefined ? {} : { apiKeySid: s.apiKeySid }),
    ...(s.apiKeySecret === undefined ? {} : { apiKeySecret: s.apiKeySecret }),
    ...(s.from === undefined ? {} : { from: s.from }),
    ...(s.messagingServiceSid === undefined ? {} : { messagingServiceSid: s.messagingServiceSid }),
    ...(s.publicUrl === undefined ? {} : { publicUrl: s.publicUrl }),
    ...(s.baseUrl === undefined ? {} : { baseUrl: s.baseUrl }),
    ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }),
    ...(s.concurrency === undefined ? {} : { concurrency: s.concurrency }),
    ...(s.ratePerSecond === undefined ? {} : { ratePerSecond: s.ratePerSecond }),
  };
}
