/**
 * Twilio's request signature (X-Twilio-Signature, per Twilio's "Webhooks security" docs): the base64 of the
 * HMAC-SHA1, keyed with the account's auth token, of the full URL Twilio called followed by each POST
 * parameter's name and value, sorted by name.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const pairs = [...params].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return createHmac('sha1', authToken).update(url + pairs.map(([name, value]) => name + value).join('')).digest('base64');
}

/** Whether `given` is the signature of the request under any of the (auth token, URL) pairs. */
export function validTwilioSignature(given: string | undefined, candidates: ReadonlyArray<{ authToken: string; url: string }>, params: URLSearchParams): boolean {
  if (!given) return false;
  const actual = Buffer.from(given);
  return candidates.some(({ authToken, url }) => {
    const expected = Buffer.from(twilioSignature(authToken, url, params));
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  });
}
