/**
 * Delivery providers in the dashboard: the settings forms' fields and back (GET/PUT /v1/providers), the
 * webhook secret the browser makes, and a message's delivery state in words. Secrets are write-only: the
 * server shows a stored one as { set: true }, and a form field left empty keeps it.
 */
import type { Problem } from './settings-form.ts';

export type ProviderKind = 'smtp' | 'webhook' | 'twilio' | 'push';

/** The provider each channel's form sets (src/channels/providers.ts PROVIDER_OF). */
export const PROVIDER_FORMS: Readonly<Record<string, ProviderKind>> = { push: 'push', sms: 'twilio', whatsapp: 'twilio', email: 'smtp', webhook: 'webhook' };

/** Channels that need no provider at all, and why (the inbox is delivered by being stored). */
export const NO_PROVIDER_NEEDED: Readonly<Record<string, string>> = {
  inbox: 'needs no provider: its messages are delivered by being stored, for your app to read with GET /v1/inbox/:userId.',
};

/** Providers by name: a channel's, or the one a message went through (a push message names its route). */
export const PROVIDER_LABEL: Readonly<Record<string, string>> = {
  smtp: 'SMTP', webhook: 'Signed webhooks', twilio: 'Twilio', push: 'Push services', fcm: 'FCM', apns: 'APNs', webpush: 'Web Push', outbox: 'Built-in outbox',
};

/** What the form edits, all as typed. */
export interface SmtpDraft {
  provider: 'smtp';
  host: string;
  port: string;
  secure: boolean;
  user: string;
  /** '' keeps the stored one. */
  password: string;
  from: string;
  replyTo: string;
  /** The envelope sender, where bounces go; '' for the from address. */
  returnPath: string;
  publicUrl: string;
  /** Opens and clicks tracked (with a public URL); the server's default is on. */
  tracking: boolean;
}

export interface WebhookDraft {
  provider: 'webhook';
  /** '' keeps the stored one. */
  secret: string;
  /** Milliseconds, '' for the default. */
  timeoutMs: string;
  /** One host a line (or comma-separated). */
  allowHosts: string;
}

export interface TwilioDraft {
  provider: 'twilio';
  accountSid: string;
  /** '' keeps the stored one (as for the API key's secret). */
  authToken: string;
  apiKeySid: string;
  apiKeySecret: string;
  from: string;
  messagingServiceSid: string;
  publicUrl: string;
  /** Not in the form (tests and proxies): kept as stored. */
  baseUrl: string;
}

/**
 * Push: each route (FCM, APNs, Web Push) is sent only when included; one left out is removed on save, its
 * secret with it. The three secrets are '' to keep the stored one.
 */
export interface PushDraft {
  provider: 'push';
  fcm: boolean;
  /** The service account's JSON key file. */
  serviceAccount: string;
  apns: boolean;
  teamId: string;
  keyId: string;
  /** The .p8 key (PEM). */
  apnsKey: string;
  bundleId: string;
  production: boolean;
  webpush: boolean;
  publicKey: string;
  privateKey: string;
  subject: string;
  /** Settings the form does not show (test servers' base URLs, TTL, allowed hosts, timeout): sent back as stored. */
  kept: { top: Record<string, unknown>; fcm: Record<string, unknown>; apns: Record<string, unknown>; webpush: Record<string, unknown> };
}

export type ProviderDraft = SmtpDraft | WebhookDraft | TwilioDraft | PushDraft;

const text = (value: unknown) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

/** True when the server says a secret is stored ({ set: true }). */
export function secretSet(settings: Record<string, unknown>, field: string): boolean {
  const value = settings[field];
  return !!value && typeof value === 'object' && (value as { set?: unknown }).set === true;
}

/** The form's fields from what the server shows (secrets always empty: they are never shown). */
export function draftOf(provider: ProviderKind, settings: Record<string, unknown>): ProviderDraft {
  const same = settings.provider === provider;
  const s = same ? settings : {};
  if (provider === 'push') return pushDraftOf(s);
  if (provider === 'twilio') {
    return {
      provider, accountSid: text(s.accountSid), authToken: '', apiKeySid: text(s.apiKeySid), apiKeySecret: '', from: text(s.from),
      messagingServiceSid: text(s.messagingServiceSid), publicUrl: text(s.publicUrl), baseUrl: text(s.baseUrl),
    };
  }
  if (provider === 'smtp') {
    return { provider, host: text(s.host), port: same ? text(s.port) : '587', secure: s.secure === true, user: text(s.user), password: '', from: text(s.from), replyTo: text(s.replyTo), returnPath: text(s.returnPath), publicUrl: text(s.publicUrl), tracking: s.tracking !== false };
  }
  const hosts = Array.isArray(s.allowHosts) ? s.allowHosts.filter((h): h is string => typeof h === 'string') : [];
  return { provider, secret: '', timeoutMs: text(s.timeoutMs), allowHosts: hosts.join('\n') };
}

const WHOLE = /^\s*\d+\s*$/;

/**
 * The PUT body, or the problems of what it could not express (a port that is not a whole number), at the
 * paths the server would use. Empty optional fields are left out; so is an empty secret, which keeps the one
 * stored. The server checks everything else and names the field.
 */
export function bodyOf(draft: ProviderDraft): { body: Record<string, unknown>; problems: Problem[] } {
  const problems: Problem[] = [];
  const body: Record<string, unknown> = { provider: draft.provider };
  const optional = (key: string, value: string) => {
    if (value.trim() !== '') body[key] = value.trim();
  };
  if (draft.provider === 'smtp') {
    body.host = draft.host.trim();
    if (!WHOLE.test(draft.port)) problems.push({ path: '/port', message: 'enter a whole number, e.g. 587 (STARTTLS) or 465 (TLS)' });
    body.port = Number(draft.port);
    if (draft.secure) body.secure = true;
    optional('user', draft.user);
    if (draft.password !== '') body.password = draft.password; // a password may have spaces at either end
    body.from = draft.from.trim();
    optional('replyTo', draft.replyTo);
    optional('returnPath', draft.returnPath);
    optional('publicUrl', draft.publicUrl);
    if (!draft.tracking) body.tracking = false;
  } else if (draft.provider === 'push') {
    return pushBodyOf(draft);
  } else if (draft.provider === 'twilio') {
    body.accountSid = draft.accountSid.trim();
    // Secrets may not be trimmed; empty ones keep what is stored.
    if (draft.authToken !== '') body.authToken = draft.authToken;
    optional('apiKeySid', draft.apiKeySid);
    if (draft.apiKeySecret !== '') body.apiKeySecret = draft.apiKeySecret;
    optional('from', draft.from);
    optional('messagingServiceSid', draft.messagingServiceSid);
    optional('publicUrl', draft.publicUrl);
    optional('baseUrl', draft.baseUrl);
  } else {
    optional('secret', draft.secret);
    if (draft.timeoutMs.trim() !== '') {
      if (!WHOLE.test(draft.timeoutMs)) problems.push({ path: '/timeoutMs', message: 'enter a whole number of milliseconds, or leave it empty for 10000' });
      body.timeoutMs = Number(draft.timeoutMs);
    }
    const hosts = hostsOf(draft.allowHosts);
    if (hosts.length > 0) body.allowHosts = hosts;
  }
  return { body, problems };
}

/** "a.test, b.test\nc.test" → ["a.test", "b.test", "c.test"]. */
export function hostsOf(typed: string): string[] {
  return typed
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter(Boolean);
}

/** The fields each form shows problems next to. */
export function providerFields(provider: ProviderKind): string[] {
  // A route's own path takes what the form has no field for (its base URL, say): shown at its checkbox.
  if (provider === 'push') return ['/provider', '/fcm', '/apns', '/webpush', ...Object.values(PUSH_PATHS)];
  if (provider === 'twilio') return ['/provider', '/accountSid', '/authToken', '/apiKeySid', '/apiKeySecret', '/from', '/messagingServiceSid', '/publicUrl'];
  return provider === 'smtp'
    ? ['/provider', '/host', '/port', '/secure', '/user', '/password', '/from', '/replyTo', '/returnPath', '/publicUrl', '/timeoutMs']
    : ['/provider', '/secret', '/timeoutMs', '/allowHosts'];
}

/** Where the server puts its problems about each push field (the draft's names are flat, the settings nested). */
const PUSH_PATHS: Readonly<Record<string, string>> = {
  serviceAccount: '/fcm/serviceAccount',
  teamId: '/apns/teamId', keyId: '/apns/keyId', apnsKey: '/apns/key', bundleId: '/apns/bundleId', production: '/apns/production',
  publicKey: '/webpush/publicKey', privateKey: '/webpush/privateKey', subject: '/webpush/subject',
};
const ROUTES = ['fcm', 'apns', 'webpush'] as const;

/**
 * The problems still standing once the fields `edited` (draft keys) are changed: those of the edited fields
 * go. Including or leaving out a route clears everything about it, and the "at least one route" problem.
 */
export function problemsLeft(problems: Problem[], edited: string[], provider: ProviderKind): Problem[] {
  const paths = edited.map((key) => (provider === 'push' ? (PUSH_PATHS[key] ?? `/${key}`) : `/${key}`));
  const route = (path: string) => (ROUTES as readonly string[]).includes(path.slice(1));
  return problems.filter(
    (p) => !paths.some((path) => p.path === path || (route(path) && (p.path.startsWith(`${path}/`) || p.path === '/provider'))),
  );
}

const record = (value: unknown): Record<string, unknown> | null => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
/** `o` without the form's own fields: what the form leaves as it was. */
const without = (o: Record<string, unknown> | null, keys: string[]) => Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => !keys.includes(k)));

function pushDraftOf(s: Record<string, unknown>): PushDraft {
  const fcm = record(s.fcm);
  const apns = record(s.apns);
  const webpush = record(s.webpush);
  return {
    provider: 'push',
    fcm: fcm !== null, serviceAccount: '',
    apns: apns !== null, teamId: text(apns?.teamId), keyId: text(apns?.keyId), apnsKey: '', bundleId: text(apns?.bundleId), production: apns?.production === true,
    webpush: webpush !== null, publicKey: text(webpush?.publicKey), privateKey: '', subject: text(webpush?.subject),
    kept: {
      top: without(s, ['provider', ...ROUTES]),
      fcm: without(fcm, ['serviceAccount']),
      apns: without(apns, ['teamId', 'keyId', 'key', 'bundleId', 'production']),
      webpush: without(webpush, ['publicKey', 'privateKey', 'subject']),
    },
  };
}

function pushBodyOf(draft: PushDraft): { body: Record<string, unknown>; problems: Problem[] } {
  const problems: Problem[] = [];
  const body: Record<string, unknown> = { provider: 'push', ...draft.kept.top };
  // JSON, PEM and base64url mean nothing by their outer spaces: trimmed, and blank keeps the stored secret.
  const secret = (key: string, value: string) => (value.trim() === '' ? {} : { [key]: value.trim() });
  if (draft.fcm) body.fcm = { ...draft.kept.fcm, ...secret('serviceAccount', draft.serviceAccount) };
  if (draft.apns) {
    body.apns = {
      ...draft.kept.apns, teamId: draft.teamId.trim(), keyId: draft.keyId.trim(), ...secret('key', draft.apnsKey), bundleId: draft.bundleId.trim(),
      ...(draft.production ? { production: true } : {}),
    };
  }
  if (draft.webpush) body.webpush = { ...draft.kept.webpush, publicKey: draft.publicKey.trim(), ...secret('privateKey', draft.privateKey), subject: draft.subject.trim() };
  if (!draft.fcm && !draft.apns && !draft.webpush) problems.push({ path: '/provider', message: 'include at least one of Firebase Cloud Messaging, APNs and Web Push' });
  return { body, problems };
}

/** Which of push's secrets are stored, by draft field. */
export function pushSecretsSet(settings: Record<string, unknown>): { serviceAccount: boolean; apnsKey: boolean; privateKey: boolean } {
  return {
    serviceAccount: secretSet(record(settings.fcm) ?? {}, 'serviceAccount'),
    apnsKey: secretSet(record(settings.apns) ?? {}, 'key'),
    privateKey: secretSet(record(settings.webpush) ?? {}, 'privateKey'),
  };
}

/**
 * A push provider's card in words: the routes set ("FCM, APNs and Web Push"), then each one's details, its
 * secret only said to be set.
 */
export function pushSummary(settings: Record<string, unknown>): { label: string; value: string }[] {
  const fcm = record(settings.fcm);
  const apns = record(settings.apns);
  const webpush = record(settings.webpush);
  const routes = [fcm && 'FCM', apns && 'APNs', webpush && 'Web Push'].filter((r): r is string => !!r);
  const set = (o: Record<string, unknown>, field: string, what: string) => `${what} ${secretSet(o, field) ? 'set' : 'not set'}`;
  const rows = [{ label: 'Routes', value: routes.length > 0 ? listOf(routes) : 'none' }];
  if (fcm) rows.push({ label: 'FCM', value: set(fcm, 'serviceAccount', 'service account') });
  if (apns) {
    const where = apns.production === true ? 'production' : 'sandbox';
    rows.push({ label: 'APNs', value: `${text(apns.bundleId)} (${where}), team ${text(apns.teamId)}, key ${text(apns.keyId)}: ${set(apns, 'key', '.p8 key')}` });
  }
  if (webpush) rows.push({ label: 'Web Push', value: `${text(webpush.subject)}: ${set(webpush, 'privateKey', 'private key')}` });
  if (settings.timeoutMs !== undefined) rows.push({ label: 'Timeout (ms)', value: text(settings.timeoutMs) });
  return rows;
}

/** ["a", "b", "c"] → "a, b and c". */
export function listOf(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** A new signing secret: "whsec_" and the base64 of 32 random bytes (Standard Webhooks). */
export function newWebhookSecret(random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(32));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `whsec_${btoa(binary)}`;
}

/** What a message's delivery state says about it: attempts, the next one, who took it. */
export interface DeliveryState {
  status: string;
  reason: string | null;
  attempts: number;
  nextAttemptAt: number | null;
}

/**
 * A message's delivery in words when it is being retried or dead-lettered: "Retrying (attempt 2, next at
 * 14:05): timeout" (attempt 2 failed with a timeout), "Dead letter: http_503 (after 8 attempts)"; null
 * otherwise. `time` formats the next attempt's time.
 */
export function deliveryWords(m: DeliveryState, time: (at: number) => string): string | null {
  if (m.status === 'dead') return `Dead letter: ${m.reason ?? 'no reason recorded'} (after ${attemptsText(m.attempts)})`;
  if (m.status === 'pending' && m.attempts > 0) {
    const next = m.nextAttemptAt === null ? 'next soon' : `next at ${time(m.nextAttemptAt)}`;
    return `Retrying (attempt ${m.attempts}, ${next})${m.reason ? `: ${m.reason}` : ''}`;
  }
  return null;
}

function attemptsText(n: number): string {
  return n === 1 ? '1 attempt' : `${n} attempts`;
}

/** What the dashboard reads of one of explain's steps (GET /v1/users/:id/explain). */
export interface StepView {
  nodeId: string;
  outcome: string;
  reason: string | null;
  detail: string;
}

/** Explain marks a dead letter only in its sentence ("dead-lettered after 8 attempt(s): http_503"). */
export function isDeadStep(step: StepView): boolean {
  return step.outcome === 'failed' && step.detail.startsWith('dead-lettered');
}

/** A step whose words need its message's delivery state: a retry, or a dead letter. */
export function needsDelivery(step: StepView): boolean {
  return step.reason === 'retrying' || isDeadStep(step);
}

/**
 * Each step's message among a pass's messages: the n-th step of a node is the node's n-th message, oldest
 * first (explain lists a node's messages in the order they were made). Undefined when there is none.
 */
export function messagesOfSteps<M extends { nodeId: string; createdAt: number; seq: number }>(steps: readonly StepView[], messages: readonly M[]): (M | undefined)[] {
  const byNode = new Map<string, M[]>();
  for (const m of [...messages].sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq)) {
    const list = byNode.get(m.nodeId) ?? [];
    list.push(m);
    byNode.set(m.nodeId, list);
  }
  const seen = new Map<string, number>();
  return steps.map((step) => {
    const n = seen.get(step.nodeId) ?? 0;
    seen.set(step.nodeId, n + 1);
    return byNode.get(step.nodeId)?.[n];
  });
}

/**
 * A step's delivery in words: from its message when read ("Retrying (attempt 2, next at …): timeout",
 * "Dead letter: http_503 (after 8 attempts)"), else from explain alone; null for a step that is neither.
 */
export function stepDeliveryWords(step: StepView, message: DeliveryState | undefined, time: (at: number) => string): string | null {
  if (!needsDelivery(step)) return null;
  const words = message ? deliveryWords(message, time) : null;
  if (words) return words;
  if (isDeadStep(step)) return `Dead letter: ${step.reason ?? 'no reason recorded'}`;
  return 'Retrying after a passing failure';
}

/**
 * The message log's reason for a retry, a dead letter, or a dead letter sent again (pending, no attempt yet,
 * its last reason kept) (its delivery column shows the attempts and the next one): "Last attempt failed:
 * timeout", "Dead letter: http_503 (after 8 attempts)", "Sent again after a dead letter: http_503"; null for
 * other messages.
 */
export function logDeliveryReason(m: DeliveryState): string | null {
  if (m.status === 'pending' && m.attempts > 0) return `Last attempt failed: ${m.reason ?? 'no reason recorded'}`;
  if (m.status === 'pending' && m.reason !== null) return `Sent again after a dead letter: ${m.reason}`;
  return m.status === 'dead' ? deliveryWords(m, String) : null;
}
