/**
 * The plain-text part of an email, derived from its HTML body: tags dropped, block ends and <br> as line
 * breaks, list items as "- ", links as "text (url)", entities decoded, blank runs collapsed. For mail
 * clients that show text only and for spam filters that compare both parts; not a renderer. One pass over
 * the tags (linear in the body's length, whatever the body: it is rendered from untrusted data).
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const BLOCKS = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table', 'tr', 'blockquote', 'section', 'article', 'header', 'footer']);
const HIDDEN = new Set(['script', 'style', 'head', 'title']);

/** Decodes character references (named: the few common ones; numeric: all). */
export function decode(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

export function htmlToText(html: string): string {
  const out: string[] = [];
  let hidden: string | null = null;
  let link: { href: string; start: number } | null = null;
  const tag = /<!--|<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g;
  let at = 0;
  for (let m = tag.exec(html); m !== null; m = tag.exec(html)) {
    if (hidden === null) out.push(decode(html.slice(at, m.index)));
    at = m.index + m[0].length;
    if (m[2] === undefined) {
      // A comment: skip to its end (an unclosed one hides the rest).
      const end = html.indexOf('-->', at);
      at = end === -1 ? html.length : end + 3;
      tag.lastIndex = at;
      continue;
    }
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    if (hidden !== null) {
      if (closing && name === hidden) hidden = null;
      continue;
    }
    if (HIDDEN.has(name) && !closing) hidden = name;
    else if (name === 'br') out.push('\n');
    else if (name === 'li' && !closing) out.push('\n- ');
    else if (closing && BLOCKS.has(name)) out.push('\n\n');
    else if (name === 'a' && !closing) {
      const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(m[3] ?? '');
      link = href ? { href: decode(href[1] ?? href[2] ?? href[3] ?? ''), start: out.length } : null;
    } else if (name === 'a' && closing && link) {
      const label = out.splice(link.start).join('').trim();
      out.push(label && label !== link.href ? `${label} (${link.href})` : link.href);
      link = null;
    }
  }
  if (hidden === null) out.push(decode(html.slice(at)));
  return out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\r]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
