/**
 * SMS click tracking: each http(s) URL of a text becomes a short link {publicUrl}/s/<code>, which
 * GET /s/<code> redirects to the URL, recording a click on the message.
 *
 * Why a table and not a signed token: a token must carry the message id (its journey, entry event and node:
 * often 40 to 100 characters and more) and the URL, far over the ~24 characters an SMS link can spare. So the
 * code only names a row (short_links: code -> message, URL). It is derived, not random: the first 72 bits
 * of an HMAC of the message id and the URL under the project's tracking key, 12 characters. Derived, a
 * retried send makes the same codes (the rows are written once); keyed, nobody can compute another
 * message's code, and 2^72 codes cannot be guessed one request at a time.
 */
import type { Store } from '../store/store.ts';
import { baseOf, sign } from './tracking.ts';

const CODE_BYTES = 9;
/** A URL up to whitespace or a character that cannot end one in running text. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/gi;
/** Punctuation that ends a sentence rather than the URL ("see https://x.test/a."). */
const TRAILING = /[.,;:!?'")\]]+$/;

export function shortCode(key: Buffer, messageId: string, url: string): string {
  return sign(key, 'sms', [messageId, url], CODE_BYTES).toString('base64url');
}

/** The text with its URLs as short links, once the links are kept in the store. Without URLs, the text as it is. */
export async function trackSmsLinks(store: Store, key: Buffer, body: string, messageId: string, publicUrl: string, now: number): Promise<string> {
  const base = baseOf(publicUrl);
  const links = new Map<string, string>(); // url -> code
  const text = body.replace(URL_IN_TEXT, (match) => {
    const url = match.replace(TRAILING, '');
    if (url.startsWith(`${base}/`)) return match; // Waymark's own links (already short)
    let code = links.get(url);
    if (code === undefined) {
      code = shortCode(key, messageId, url);
      links.set(url, code);
    }
    return `${base}/s/${code}${match.slice(url.length)}`;
  });
  if (links.size > 0) await store.saveShortLinks([...links].map(([url, code]) => ({ code, messageId, url })), now);
  return text;
}
