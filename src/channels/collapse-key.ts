/**
 * A push's collapse key: a pure function of the message id, so every attempt of a message carries the same one.
 * A process killed mid-send sends the pushes it had in flight again; with this key the second copy replaces the
 * first on the device instead of showing twice. FCM takes it as the Android notification tag, the apns-collapse-id
 * of iOS devices and the web notification tag; APNs as apns-collapse-id (64 bytes at most); Web Push as the
 * Topic header (32 characters of the base64url alphabet at most) and the tag its service worker shows it under.
 * 32 base64url characters (192 bits of a SHA-256) fit every one of those limits.
 */
import { createHash } from 'node:crypto';

export const COLLAPSE_KEY_LENGTH = 32;

export function collapseKeyOf(messageId: string): string {
  return createHash('sha256').update(`waymark collapse\u0000${messageId}`).digest('base64url').slice(0, COLLAPSE_KEY_LENGTH);
}
