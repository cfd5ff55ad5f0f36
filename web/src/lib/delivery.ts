/**
 * Delivery providers in the dashboard: the settings forms' fields and back (GET/PUT /v1/providers), the
 * webhook secret the browser makes, and a message's delivery state in words. Secrets are write-only: the
 * server shows a stored one as { set: true }, and a form field left empty keeps it.
 */
import type { Problem } from './settings-form.ts';

export type ProviderKind = 'smtp' | 'webhook' | 'twilio';

/** The provider each channel's form sets (src/channels/providers.ts PROVIDER_OF). */
export const PROVIDER_FORMS: Readonly<Record<string, ProviderKind>> = { sms: 'twilio', whatsapp: 'twilio', email: 'smtp', webhook: 'webhook' };

/** Channels that need no provider at all, and why (the inbox is delivered by being stored). */
export const NO_PROVIDER_NEEDED: Readonly<Record<string, string>> = {
  inbox: 'needs no provider: its messages are delivered by being stored, for your app to read with GET /v1/inbox/:userId.',
};

export const PROVIDER_LABEL: Readonly<Record<string, string>> = { smtp: 'SMTP', webhook: 'Signed webhooks', twilio: 'Twilio', outbox: 'Built-in outbox' };

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

export type ProviderDraft = SmtpDraft | WebhookDraft | TwilioDraft;

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
  if (provider === 'twilio') {
    return {
      provider, accountSid: text(s.accountSid), authToken: '', apiKeySid: text(s.apiKeySid), apiKeySecret: '', from: text(s.from),
      messagingServiceSid: text(s.messagingServiceSid), publicUrl: text(s.publicUrl), baseUrl: text(s.baseUrl),
    };
  }
  if (provider === 'smtp') {
    return { provider, host: text(s.host), port: same ? text(s.port) : '587', secure: s.secure === true, user: text(s.user), password: '', from: text(s.from), replyTo: text(s.replyTo), publicUrl: text(s.publicUrl), tracking: s.tracking !== false };
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
    optional('publicUrl', draft.publicUrl);
    if (!draft.tracking) body.tracking = false;
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
  if (provider === 'twilio') return ['/provider', '/accountSid', '/authToken', '/apiKeySid', '/apiKeySecret', '/from', '/messagingServiceSid', '/publicUrl'];
  return provider === 'smtp'
    ? ['/provider', '/host', '/port', '/secure', '/user', '/password', '/from', '/replyTo', '/publicUrl', '/timeoutMs']
    : ['/provider', '/secret', '/timeoutMs', '/allowHosts'];
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
 * The message log's reason for a retry or a dead letter (its delivery column shows the attempts and the next
 * one): "Last attempt failed: timeout", "Dead letter: http_503 (after 8 attempts)"; null for other messages.
 */
export function logDeliveryReason(m: DeliveryState): string | null {
  if (m.status === 'pending' && m.attempts > 0) return `Last attempt failed: ${m.reason ?? 'no reason recorded'}`;
  return m.status === 'dead' ? deliveryWords(m, String) : null;
}
