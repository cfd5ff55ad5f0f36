/**
 * Email engagement tracking at send time (the stored message keeps the HTML as rendered): every http(s) link
 * of the HTML body leads through {publicUrl}/v1/t/c/<click token>, and a 1x1 pixel {publicUrl}/v1/t/o/<open
 * token> is added. Left as they are: links that are not http(s) (mailto:, tel:, #anchors), links to Waymark
 * itself (the unsubscribe link), links marked data-waymark-notrack (the attribute is dropped), links inside
 * comments, and links whose token would be too long for a URL path segment. One pass over the tags, linear
 * in the body's length: the body is rendered from untrusted data.
 */
import { decode } from './html-text.ts';
import { baseOf, clickToken, openToken } from './tracking.ts';

/** The router's longest path segment (api/server.ts: 2 * MAX_PATH_ID): a longer token could not be served. */
export const MAX_TOKEN_LENGTH = 1000;

const TAG = /<!--[\s\S]*?(?:-->|$)|<(a|area)\b([^>]*)>/gi;
const HREF = /(\shref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i;
const NOTRACK = /\sdata-waymark-notrack(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?/i;

export function trackEmailHtml(html: string, messageId: string, publicUrl: string, key: Buffer): string {
  const base = baseOf(publicUrl);
  const rewritten = html.replace(TAG, (whole, name: string | undefined, attributes: string) => {
    if (name === undefined) return whole; // a comment
    if (NOTRACK.test(attributes)) return `<${name}${attributes.replace(NOTRACK, '')}>`;
    const href = HREF.exec(attributes);
    if (!href) return whole;
    const url = decode(href[2] ?? href[3] ?? href[4] ?? '').trim();
    if (!/^https?:\/\//i.test(url) || url.startsWith(`${base}/`)) return whole;
    const token = clickToken(key, messageId, url);
    if (token.length > MAX_TOKEN_LENGTH) return whole;
    const tracked = `${href[1]}"${base}/v1/t/c/${token}"`;
    return `<${name}${attributes.slice(0, href.index)}${tracked}${attributes.slice(href.index + href[0].length)}>`;
  });
  const token = openToken(key, messageId);
  if (token.length > MAX_TOKEN_LENGTH) return rewritten;
  const pixel = `<img src="${base}/v1/t/o/${token}" width="1" height="1" alt="" style="border:0;width:1px;height:1px">`;
  const end = rewritten.search(/<\/body\s*>/i);
  return end === -1 ? rewritten + pixel : rewritten.slice(0, end) + pixel + rewritten.slice(end);
}
