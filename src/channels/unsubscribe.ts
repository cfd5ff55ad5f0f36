/**
 * One-click unsubscribe links (RFC 8058): a token naming a user and a channel, signed with the project's own
 * key (HMAC-SHA256, kept in the store's secrets and made on first use), so a link cannot be forged for
 * another user or channel. Tokens do not expire: an unsubscribe link in an old email must still work.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CHANNEL_NAMES, type Channel } from '../core/channels.ts';
import type { Store } from '../store/store.ts';

export const UNSUBSCRIBE_SECRET = 'unsubscribe';

/** The project's unsubscribe signing key, made on first ask. */
export async function unsubscribeKey(store: Store, now: number): Promise<Buffer> {
  return Buffer.from(await store.secret(UNSUBSCRIBE_SECRET, () => randomBytes(32).toString('base64'), now), 'base64');
}

function mac(key: Buffer, userId: string, channel: Channel): string {
  return createHmac('sha256', key).update(`unsubscribe\u0000${channel}\u0000${userId}`).digest('base64url');
}

/** "<channel>.<base64url user id>.<base64url HMAC>": URL-safe as a path segment. */
export function unsubscribeToken(key: Buffer, userId: string, channel: Channel): string {
  return `${channel}.${Buffer.from(userId, 'utf8').toString('base64url')}.${mac(key, userId, channel)}`;
}

/** The user and channel a token names, or null when it is malformed or its signature does not match. */
export function readUnsubscribeToken(key: Buffer, token: string): { userId: string; channel: Channel } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [channel, user, signature] = parts as [string, string, string];
  if (!(CHANNEL_NAMES as string[]).includes(channel) || !/^[A-Za-z0-9_-]+$/.test(user)) return null;
  const userId = Buffer.from(user, 'base64url').toString('utf8');
  const expected = Buffer.from(mac(key, userId, channel as Channel));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { userId, channel: channel as Channel };
}
