/**
 * Did Twilio already take this message? Twilio's Messages API takes no idempotency key, so a process that died
 * after posting a text and before recording it would, on the next claim, send a second text. Before sending a
 * message an earlier claim may have sent (mayHaveBeenSent), the sender reads Twilio's Messages list filtered
 * by To (and From), newest first, back to a little before the message was made, and takes a message with the
 * same To, From (or Messaging Service) and Body for it. With short links on, every text that has a link is
 * unique to its message (sms-links.ts); without, an identical text to the same number since then counts as it.
 * A list that cannot be read is a transient failure: the text is neither sent nor given up.
 */
import type { Message } from '../store/store.ts';
import { httpRequest } from './http-request.ts';

/** Twilio's clock against ours: its date_created of our text can read this much before our createdAt. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** Pages of the list read at most (Twilio's PageSize is at most 1,000). */
const MAX_PAGES = 5;
const PAGE_SIZE = 200;

export type Lookup = { found: string } | { found: null } | { error: string };

/** Reads the list for the message's form (twilioForm): the SID of Twilio's copy of it, null, or why it could not tell. */
export async function lookUpSent(m: Message, form: URLSearchParams, messagesUrl: URL, authorization: string, timeoutMs: number): Promise<Lookup> {
  const query = new URL(messagesUrl);
  query.searchParams.set('To', form.get('To')!);
  const from = form.get('From');
  if (from !== null) query.searchParams.set('From', from); // a Messaging Service picks its number: To alone
  query.searchParams.set('PageSize', String(PAGE_SIZE));
  const since = m.createdAt - CLOCK_SKEW_MS;
  let url: URL | null = query;
  for (let page = 0; url !== null && page < MAX_PAGES; page++) {
    const answer = await httpRequest({
      method: 'GET',
      url,
      headers: { authorization, accept: 'application/json', 'user-agent': 'Waymark/1' },
      timeoutMs,
      maxBytes: 4 * 1024 * 1024,
    });
    if (!answer.ok) return { error: `lookup_${answer.error}` };
    if (answer.status !== 200) return { error: `lookup_http_${answer.status}` };
    const list = parseList(answer.body);
    if (list === null) return { error: 'lookup_unreadable' };
    for (const t of list.messages) {
      const created = Date.parse(String(t.date_created ?? ''));
      if (Number.isFinite(created) && created < since) return { found: null }; // newest first: nothing older is ours
      if (t.to === form.get('To') && t.body === form.get('Body') && sameSender(t, form) && typeof t.sid === 'string') return { found: t.sid };
    }
    url = list.next === null ? null : new URL(list.next, messagesUrl);
    if (url !== null && url.origin !== messagesUrl.origin) return { error: 'lookup_next_page_elsewhere' }; // never our credentials to another host
  }
  return { found: null };
}

function sameSender(t: Record<string, unknown>, form: URLSearchParams): boolean {
  const service = form.get('MessagingServiceSid');
  return service !== null ? t.messaging_service_sid === service : t.from === form.get('From');
}

function parseList(text: string): { messages: Array<Record<string, unknown>>; next: string | null } | null {
  try {
    const value = JSON.parse(text) as { messages?: unknown; next_page_uri?: unknown };
    if (!Array.isArray(value?.messages)) return null;
    const messages = value.messages.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object');
    return { messages, next: typeof value.next_page_uri === 'string' && value.next_page_uri !== '' ? value.next_page_uri : null };
  } catch {
    return null;
  }
}
