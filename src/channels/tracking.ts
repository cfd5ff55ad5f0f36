/**
 * Engagement tracking tokens (docs/channels.md, "Engagement tracking"): an open token names a message, a
 * click token a message and the URL it leads to; each is signed with the project's tracking key (HMAC-SHA256,
 * kept in the store's secrets and made on first use, as unsubscribe.ts does for its links), so nobody can
 * record an open or a click of another message, nor make Waymark redirect anywhere (no open redirect).
 * Compact and URL-safe: base64url parts joined by dots, the MAC cut to 128 bits (still unforgeable).
 * Tokens do not expire: a link in an old email must still lead where it did.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '../store/store.ts';

export const TRACKING_SECRET = 'tracking';
const MAC_BYTES = 16;

/** The project's tracking key, made on first ask. */
export async function trackingKey(store: Store, now: number): Promise<Buffer> {
  return Buffer.from(await store.secret(TRACKING_SECRET, () => randomBytes(32).toString('base64'), now), 'base64');
}

/** The MAC of a purpose and its fields; each field prefixed with its length, so no two lists sign the same. */
export function sign(key: Buffer, purpose: string, fields: readonly string[], bytes = MAC_BYTES): Buffer {
  const hmac = createHmac('sha256', key).update(purpose);
  for (const f of fields) hmac.update(`\u0000${f.length}\u0000${f}`);
  return hmac.digest().subarray(0, bytes);
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Compared as text, in constant time: a MAC's spare low bits changed (same bytes once decoded) is refused too. */
function matches(given: string, expected: Buffer): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected.toString('base64url'));
  return a.length === b.length && timingSafeEqual(a, b);
}

/** "<base64url message id>.<MAC>": the email's pixel, and a push notification's open. */
export function openToken(key: Buffer, messageId: string): string {
  return `${b64(messageId)}.${sign(key, 'open', [messageId]).toString('base64url')}`;
}

/** "<base64url message id>.<base64url URL>.<MAC>": a link of an email. */
export function clickToken(key: Buffer, messageId: string, url: string): string {
  return `${b64(messageId)}.${b64(url)}.${sign(key, 'click', [messageId, url]).toString('base64url')}`;
}

/** The message an open token names, or null when it is malformed or its signature does not match. */
export function readOpenToken(key: Buffer, token: string): { messageId: string } | null {
  const parts = token.split('.');
  if (parts.length !== 2 || !BASE64URL.test(parts[0]!)) return null;
  const messageId = Buffer.from(parts[0]!, 'base64url').toString('utf8');
  return matches(parts[1]!, sign(key, 'open', [messageId])) ? { messageId } : null;
}

/** The message and URL a click token names, or null when it is malformed or its signature does not match. */
export function readClickToken(key: Buffer, token: string): { messageId: string; url: string } | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !BASE64URL.test(parts[0]!) || !BASE64URL.test(parts[1]!)) return null;
  const messageId = Buffer.from(parts[0]!, 'base64url').toString('utf8');
  const url = Buffer.from(parts[1]!, 'base64url').toString('utf8');
  return matches(parts[2]!, sign(key, 'click', [messageId, url])) ? { messageId, url } : null;
}

/** The field of a push notification's data that carries its open token. */
export const PUSH_OPEN_TOKEN_FIELD = 'waymarkOpenToken';

/**
 * What a push sender adds to the notification's data: the app posts the token to POST /v1/t/open when the
 * user opens the notification.
 */
export function pushTrackingData(key: Buffer, messageId: string): Record<string, string> {
  return { [PUSH_OPEN_TOKEN_FIELD]: openToken(key, messageId) };
}

/** The public base URL without its trailing slashes. */
export function baseOf(publicUrl: string): string {
  return publicUrl.replace(/\/+$/, '');
}
