/**
 * Provider settings per channel, as the API takes them and the store keeps them: which provider delivers a
 * channel's messages (email: SMTP; webhook: signed HTTP POSTs), and its settings. Secrets are write-only:
 * kept in the store, never returned (shown as { set: true }), kept as they are when an update leaves them out.
 * A channel without settings stays on the built-in outbox.
 */
import Type, { type Static } from 'typebox';
import type { Channel } from '../core/channels.ts';
import type { Problem } from '../core/problem.ts';
import type { SmtpConfig } from './smtp.ts';
import type { WebhookConfig } from './webhook.ts';

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
    publicUrl: Type.Optional(Type.String({ maxLength: 2000, description: 'Waymark as recipients reach it (https://...): the base of the one-click unsubscribe links. Without it, no List-Unsubscribe header' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 120_000, description: 'Per SMTP step. Default 10000' })),
  },
  { additionalProperties: false },
);

export const WebhookSettings = Type.Object(
  {
    provider: Type.Literal('webhook'),
    secret: Type.Optional(Type.String({ maxLength: 200, description: 'whsec_ and the base64 of 24 to 64 random bytes (Standard Webhooks). Write-only; required the first time' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 60_000, description: 'Per request. Default 10000' })),
    allowHosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 100, description: 'Hosts a webhook may reach although they are loopback or private addresses' })),
  },
  { additionalProperties: false },
);

export const ProviderSettings = Type.Union([SmtpSettings, WebhookSettings]);
export type ProviderSettings = Static<typeof ProviderSettings>;

/** The provider each channel can have; a channel missing here has only the outbox for now. */
export const PROVIDER_OF: Partial<Record<Channel, ProviderSettings['provider']>> = { email: 'smtp', webhook: 'webhook' };

/** The write-only fields of provider settings: never returned by the API, redacted from logs (ops/logger.ts matches them by name). */
export const SECRET_FIELDS = ['password', 'secret'] as const;

/**
 * The settings to keep for `channel` from a PUT body and what was kept before (secrets left out are kept),
 * or the problems with them.
 */
export function settingsToKeep(channel: Channel, body: ProviderSettings, before: Record<string, unknown> | null): { settings: ProviderSettings } | { problems: Problem[] } {
  const expected = PROVIDER_OF[channel];
  if (!expected) return { problems: [{ path: '/provider', message: `${channel} has no provider yet: its messages stay in the built-in outbox` }] };
  if (body.provider !== expected) return { problems: [{ path: '/provider', message: `must be "${expected}" for ${channel}` }] };
  const settings: Record<string, unknown> = { ...body };
  if (before && before.provider === body.provider) {
    for (const field of SECRET_FIELDS) if (settings[field] === undefined && typeof before[field] === 'string') settings[field] = before[field];
  }
  const problems: Problem[] = [];
  if (body.provider === 'smtp') {
    if (!/@[^\s@>]+>?\s*$/.test(body.from)) problems.push({ path: '/from', message: 'must be an email address, or "Name <address>"' });
    if (body.replyTo !== undefined && !/@[^\s@>]+>?\s*$/.test(body.replyTo)) problems.push({ path: '/replyTo', message: 'must be an email address, or "Name <address>"' });
    if (body.publicUrl !== undefined && !isHttpUrl(body.publicUrl)) problems.push({ path: '/publicUrl', message: 'must be an http(s) URL, e.g. https://waymark.example.com' });
    if (body.password !== undefined && body.user === undefined) problems.push({ path: '/user', message: 'is needed with a password' });
  } else {
    const secret = settings.secret;
    if (typeof secret !== 'string') problems.push({ path: '/secret', message: 'is required (whsec_ and the base64 of 24 to 64 random bytes, e.g. "whsec_" + `openssl rand -base64 32`)' });
    else if (!validSecret(secret)) problems.push({ path: '/secret', message: 'must be whsec_ followed by the base64 of 24 to 64 bytes' });
  }
  return problems.length > 0 ? { problems } : { settings: settings as ProviderSettings };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
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
export function redacted(settings: Record<string, unknown>): Record<string, unknown> {
  const secret = new Set<string>(SECRET_FIELDS);
  return Object.fromEntries(
    Object.keys(settings)
      .sort()
      .map((k) => [k, secret.has(k) ? { set: true } : settings[k]]),
  );
}

export function smtpConfigOf(s: Static<typeof SmtpSettings>): SmtpConfig {
  return {
    host: s.host, port: s.port, secure: s.secure ?? false, from: s.from,
    ...(s.user === undefined ? {} : { user: s.user }),
    ...(s.password === undefined ? {} : { password: s.password }),
    ...(s.replyTo === undefined ? {} : { replyTo: s.replyTo }),
    ...(s.publicUrl === undefined ? {} : { publicUrl: s.publicUrl }),
    ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }),
  };
}

export function webhookConfigOf(s: Static<typeof WebhookSettings>): WebhookConfig {
  return {
    secret: s.secret ?? '',
    ...(s.timeoutMs === undefined ? {} : { timeoutMs: s.timeoutMs }),
    ...(s.allowHosts === undefined ? {} : { allowHosts: s.allowHosts }),
  };
}
