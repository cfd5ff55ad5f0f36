/**
 * An email as it goes over the wire, built as one string: the headers, then multipart/alternative with a text
 * part and an HTML part, both quoted-printable (so the message is 7-bit whatever it says, and the boundary,
 * which holds "=_", can never occur in a part). nodemailer still formats every header that needs care: its
 * MimeNode formats the sender's From and Reply-To (display names, IDN domains) once per sender, any To that
 * is not a plain ASCII address, and the Subject, and its encoders (folding, quoted-printable) do the rest.
 * Why not nodemailer's composer (MailComposer through sendMail): it streams each message through a chain of
 * transforms, one socket write a chunk; at 1,000 emails a second that was 430 µs of CPU a message of the
 * sender's 906 (bench/delivery.ts), and this is 20.
 */
import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { foldLines } from 'nodemailer/lib/mime-funcs';
import MimeNode from 'nodemailer/lib/mime-node';
import { encode as quotedPrintable, wrap } from 'nodemailer/lib/qp';

/** What the sender's settings fix for every email: the formatted header lines, and the envelope's sender. */
export interface EmailSender {
  lines: string[];
  /** MAIL FROM: the return path, or the From address. */
  envelopeFrom: string;
}

export interface EmailContent {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** With its angle brackets. */
  messageId: string;
  date: Date;
  /** Further headers, ASCII values (List-Unsubscribe and the like). */
  headers: Record<string, string>;
}

/**
 * nodemailer's own encoding of a header's value, as its composer writes the Subject: RFC 2047 words when it
 * has non-ASCII, and control characters (NUL, say) encoded rather than written raw into the header. Public
 * in nodemailer (MimeNode.encodeHeaderValue), not yet in its type definitions.
 */
const encodeHeaderValue = (key: string, value: string): string => (MimeNode as unknown as { encodeHeaderValue(key: string, value: string): string }).encodeHeaderValue(key, value);

/** A plain ASCII mailbox: written as is. Anything else (a name, non-ASCII, odd characters) goes through MimeNode. */
const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function emailSender(from: string, replyTo?: string, returnPath?: string): EmailSender {
  const node = formatted({ from, ...(replyTo ? { 'reply-to': replyTo } : {}) });
  return { lines: node.lines(['From', 'Reply-To']), envelopeFrom: returnPath ?? node.envelope.from };
}

/** The message, and the recipient for RCPT TO (null when `to` holds no address). */
export function composeEmail(sender: EmailSender, c: EmailContent): { raw: string; to: string | null } {
  let toLines: string[];
  let to: string | null;
  if (PLAIN_ADDRESS.test(c.to)) {
    toLines = [`To: ${c.to}`];
    to = c.to;
  } else {
    const node = formatted({ to: c.to });
    toLines = node.lines(['To']);
    to = asciiDomain(node.envelope.to[0]);
  }
  const boundary = `----=_wm_${createHash('sha256').update(c.messageId).digest('hex').slice(0, 24)}`;
  const head = [
    ...sender.lines,
    ...toLines,
    foldLines(`Subject: ${encodeHeaderValue('Subject', oneLine(c.subject))}`, 76),
    `Message-ID: ${c.messageId}`,
    `Date: ${c.date.toUTCString().replace(/GMT$/, '+0000')}`,
    ...Object.entries(c.headers).map(([key, value]) => foldLines(`${key}: ${oneLine(value)}`, 76)),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
  ];
  const part = (type: string, body: string) =>
    `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${wrap(quotedPrintable(crlf(body)), 76)}\r\n`;
  return { raw: `${head.join('\r\n')}\r\n\r\n${part('text/plain', c.text)}${part('text/html', c.html)}--${boundary}--\r\n`, to };
}

/** Headers formatted by nodemailer's MimeNode: the folded lines of those asked for, and the envelope it derives. */
function formatted(headers: Record<string, string>) {
  const node = new MimeNode('text/plain', { disableFileAccess: true, disableUrlAccess: true } as MimeNode.Options);
  node.setHeader(headers);
  // One line a header: a line that starts with a space or a tab continues the one before it.
  const all = node.buildHeaders().replace(/\r\n$/, '').split(/\r\n(?![ \t])/);
  return {
    lines: (keys: string[]) => all.filter((line) => keys.some((k) => line.startsWith(`${k}: `))),
    envelope: node.getEnvelope() as { from: string; to: string[] },
  };
}

/** An address with its domain in ASCII (IDNA), as every SMTP server takes it (a UTF-8 one needs SMTPUTF8). */
function asciiDomain(address: string | undefined): string | null {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  const domain = domainToASCII(address.slice(at + 1));
  return at > 0 && domain ? `${address.slice(0, at)}@${domain}` : null;
}

/** A header value on one line: rendered text may hold line breaks, which would start a header of their own. */
function oneLine(value: string): string {
  return value.replace(/[\r\n\t\v\f]+/g, ' ');
}

/** Line breaks as CRLF, as the wire wants them (quoted-printable keeps CRLF as a line break). */
function crlf(text: string): string {
  return text.replace(/\r?\n|\r/g, '\r\n');
}
