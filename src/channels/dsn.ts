/**
 * Delivery status notifications (RFC 3464): the bounces a mail server sends back as mail, long after it took
 * the message. A DSN is `multipart/report; report-type=delivery-status` (RFC 6522) with a
 * `message/delivery-status` part (a group of per-message fields, then a group per recipient: Final-Recipient,
 * Action, Status, Diagnostic-Code) and the message returned, whole (`message/rfc822`) or its headers
 * (`text/rfc822-headers`). mailparser reads the MIME; the fields, header-like text, are read here. The input is
 * untrusted: mailparser's limits bound its parts and headers, and every value kept is bounded and printable.
 */
import { simpleParser, type Attachment, type StructuredHeader } from 'mailparser';

export interface DsnRecipient {
  /** Final-Recipient (else Original-Recipient), its address type ("rfc822;") left out; null when neither. */
  address: string | null;
  /** Lower case: failed, delayed, delivered, relayed, expanded (what the report says; '' when missing). */
  action: string;
  /** The status code, class.subject.detail (5.1.1); null when missing or not one. */
  status: string | null;
  /** Diagnostic-Code, its type ("smtp;") left out; null when missing. */
  diagnostic: string | null;
}

export interface DeliveryReport {
  /**
   * The Message-ID of the message the report is about: the returned message's header, else the per-message
   * X-Original-Message-ID that Gmail adds; as written (angle brackets included); null when neither.
   */
  originalMessageId: string | null;
  recipients: DsnRecipient[];
}

/** The most recipient groups read from one report: a DSN about one of our emails has one. */
export const MAX_DSN_RECIPIENTS = 100;
/** The longest value kept of a field: a diagnostic is a line or two of an SMTP reply. */
const MAX_FIELD = 1_000;

const REPORT_TYPES = new Set(['delivery-status', 'global-delivery-status']);
const STATUS_PARTS = new Set(['message/delivery-status', 'message/global-delivery-status']);
/** The message returned, or its headers (RFC 6522; the global forms of RFC 6532/6533). */
const RETURNED_PARTS = new Set(['message/rfc822', 'text/rfc822-headers', 'message/global', 'message/global-headers']);

const PARSER_OPTIONS = {
  keepDeliveryStatus: true, // the status part as an attachment, its text as sent
  ignoreEmbedded: true, // the returned message kept as it is: only its headers are read, here
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  checksumAlgo: false as const,
  maxHeadSize: 64 * 1024, // a DSN's headers are a few lines; far more is not a DSN
  maxChildNodes: 100, // a DSN has three parts, or four with an HTML notice; this bounds deep or wide nesting
};

/**
 * Reads a raw message (RFC 5322 bytes, as an MTA would pipe it) as a DSN; `problem` says why it is not one:
 * not MIME mailparser can read, not a delivery-status report, no status part, no recipient in it.
 */
export async function readDsn(raw: Buffer): Promise<DeliveryReport | { problem: string }> {
  let mail: Awaited<ReturnType<typeof simpleParser>>;
  try {
    mail = await simpleParser(raw, PARSER_OPTIONS);
  } catch (error) {
    return { problem: `not a message that can be read as MIME: ${printable((error as Error)?.message ?? String(error), 200)}` };
  }
  const type = mail.headers.get('content-type') as StructuredHeader | undefined;
  const reportType = type?.params['report-type']?.toLowerCase();
  if (type?.value.toLowerCase() !== 'multipart/report' || reportType === undefined || !REPORT_TYPES.has(reportType)) {
    const was = type ? `${type.value}${reportType ? `; report-type=${reportType}` : ''}` : 'none';
    return { problem: `not a delivery status notification (RFC 3464): its Content-Type is ${printable(was, 200)}, not multipart/report; report-type=delivery-status` };
  }
  const statusPart = mail.attachments.find((a) => STATUS_PARTS.has(a.contentType.toLowerCase()));
  if (!statusPart) return { problem: 'not a delivery status notification (RFC 3464): it has no message/delivery-status part' };
  const groups = fieldGroups(statusPart.content.toString('utf8'));
  // The first group is the per-message fields (Reporting-MTA...); a report that left them out starts with a recipient.
  const isRecipient = (g: Map<string, string>) => g.has('action') || g.has('final-recipient');
  const perMessage = groups[0] && !isRecipient(groups[0]) ? groups[0] : new Map<string, string>();
  const recipients = groups.filter(isRecipient).slice(0, MAX_DSN_RECIPIENTS).map(recipientOf);
  if (recipients.length === 0) return { problem: 'the message/delivery-status part names no recipient (Final-Recipient, Action, Status)' };
  return { originalMessageId: returnedMessageId(mail.attachments) ?? field(perMessage, 'x-original-message-id'), recipients };
}

function recipientOf(g: Map<string, string>): DsnRecipient {
  const address = typed(field(g, 'final-recipient')) ?? typed(field(g, 'original-recipient'));
  return {
    address: address?.replace(/^<(.*)>$/, '$1') ?? null,
    action: /^[A-Za-z-]+/.exec(field(g, 'action') ?? '')?.[0]?.toLowerCase() ?? '',
    status: /^[245]\.\d{1,3}\.\d{1,3}(?![\d.])/.exec(field(g, 'status') ?? '')?.[0] ?? null,
    diagnostic: typed(field(g, 'diagnostic-code')),
  };
}

/** The Message-ID header of the first returned part (a message, or its headers), as written. */
function returnedMessageId(attachments: Attachment[]): string | null {
  const part = attachments.find((a) => RETURNED_PARTS.has(a.contentType.toLowerCase()));
  return part ? field(fieldGroups(part.content.toString('utf8'), 1)[0] ?? new Map(), 'message-id') : null;
}

/**
 * Header-like text (RFC 5322 §2.2, as RFC 3464 writes its fields): "Name: value" lines, a line starting with
 * white space continuing the one before; groups separated by blank lines. Names lower case, the first of a
 * repeated name kept; at most `most` groups read.
 */
export function fieldGroups(text: string, most = Infinity): Array<Map<string, string>> {
  const groups: Array<Map<string, string>> = [];
  let group: Map<string, string> | null = null;
  let last: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (group && group.size > 0) groups.push(group);
      if (groups.length >= most) return groups;
      group = null;
      last = null;
      continue;
    }
    group ??= new Map();
    if (/^[ \t]/.test(line)) {
      // A continuation: unfolded into the field before it (one before any field is ignored).
      if (last !== null) group.set(last, `${group.get(last)} ${line.trim()}`.slice(0, MAX_FIELD * 2));
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!/^[!-9;-~]+$/.test(name)) {
      last = null; // not a field: skipped with its continuations
      continue;
    }
    last = group.has(name) ? null : name;
    if (last !== null) group.set(name, line.slice(colon + 1).trim().slice(0, MAX_FIELD * 2));
  }
  if (group && group.size > 0 && groups.length < most) groups.push(group);
  return groups;
}

/** A field's value, printable and bounded; null when missing or empty. */
function field(group: Map<string, string>, name: string): string | null {
  const value = group.get(name);
  return value === undefined || value.trim() === '' ? null : printable(value, MAX_FIELD);
}

/** "rfc822; a@b.test" -> "a@b.test", "smtp; 550 ..." -> "550 ...": the value after its type, when it has one. */
function typed(value: string | null): string | null {
  if (value === null) return null;
  const rest = /^[A-Za-z0-9-]+\s*;\s*(.*)$/s.exec(value)?.[1] ?? value;
  return rest.trim() === '' ? null : rest.trim();
}

/** Control characters (and lone surrogates) out, runs of white space as one space, at most `max` characters. */
function printable(text: string, max: number): string {
  return text
    .replace(/[\p{Cc}\p{Cs}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max)
    .replace(/[\uD800-\uDBFF]$/, ''); // half a pair cut by the slice
}
