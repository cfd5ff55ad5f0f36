/**
 * A fake of Twilio's Messages API on 127.0.0.1, per its public docs: POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, Basic auth (the account SID and auth token,
 * or an API key SID and secret). 201 with the Message resource (sid SM + 32 hex digits, status queued); 401
 * with error 20003 for bad credentials; 400 with error 21604 (To missing), 21603 (From missing), 21610 for a
 * recipient who replied STOP. Scripted answers (`answers`) come first, one per request. GET of the same path reads
 * the Messages list: filtered by To and From, newest first, with each message's date_created (RFC 2822) and
 * PageSize (50 by default, at most 1,000) messages a page, `next_page_uri` naming the next page (Page and
 * PageToken) or null on the last. `listAnswers` script the list's answers the same way.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';

export interface TwilioRequest {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

export interface FakeTwilio {
  url: string;
  requests: TwilioRequest[];
  /** The messages accepted, with the SID each was given. */
  accepted: Array<{ sid: string; form: Record<string, string>; createdAt: number }>;
  /** Numbers that replied STOP: sending to them is error 21610. */
  unsubscribed: Set<string>;
  answers: Array<(res: ServerResponse) => void>;
  listAnswers: Array<(res: ServerResponse) => void>;
  /** The list requests, as their query strings. */
  lists: URLSearchParams[];
  /** Twilio's clock for date_created (default the wall clock). */
  now: () => number;
}

export function twilioError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

export async function fakeTwilio(credentials: { accountSid: string; user: string; password: string }): Promise<FakeTwilio> {
  const fake: FakeTwilio = { url: '', requests: [], accepted: [], unsubscribed: new Set(), answers: [], listAnswers: [], lists: [], now: Date.now };
  const path = `/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`;
  let count = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      const url = new URL(req.url!, 'http://twilio.test');
      if (req.method === 'GET' && url.pathname === path) {
        if (req.headers.authorization !== `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`) return twilioError(res, 401, 20003, 'Authenticate');
        fake.lists.push(url.searchParams);
        const answer = fake.listAnswers.shift();
        if (answer) return answer(res);
        return list(res, url.searchParams);
      }
      fake.requests.push({ path: req.url!, authorization: req.headers.authorization, contentType: req.headers['content-type'], form });
      if (req.method !== 'POST' || req.url !== path) return twilioError(res, 404, 20404, 'The requested resource was not found');
      if (req.headers.authorization !== `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`) return twilioError(res, 401, 20003, 'Authenticate');
      const answer = fake.answers.shift();
      if (answer) return answer(res);
      if (!form.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      if (!form.From && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (fake.unsubscribed.has(form.To.replace(/^whatsapp:/, ''))) return twilioError(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
      const sid = `SM${(++count).toString(16).padStart(32, '0')}`;
      const createdAt = fake.now();
      fake.accepted.push({ sid, form, createdAt });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(resource({ sid, form, createdAt })));
    });
  });
  const resource = (m: { sid: string; form: Record<string, string>; createdAt: number }) => ({
    sid: m.sid, account_sid: credentials.accountSid, to: m.form.To, from: m.form.From ?? null, messaging_service_sid: m.form.MessagingServiceSid ?? null, body: m.form.Body,
    status: 'queued', num_segments: '1', direction: 'outbound-api', error_code: null, error_message: null,
    date_created: new Date(m.createdAt).toUTCString().replace('GMT', '+0000'), date_sent: null, date_updated: new Date(m.createdAt).toUTCString().replace('GMT', '+0000'),
    uri: `${path.replace('.json', '')}/${m.sid}.json`,
  });
  const list = (res: ServerResponse, q: URLSearchParams) => {
    const size = Math.min(1_000, Number(q.get('PageSize') ?? 50));
    const page = Number(q.get('Page') ?? 0);
    const matching = fake.accepted.filter((m) => (!q.has('To') || m.form.To === q.get('To')) && (!q.has('From') || m.form.From === q.get('From'))).reverse();
    const messages = matching.slice(page * size, (page + 1) * size).map(resource);
    const pageUri = (n: number) => {
      const next = new URLSearchParams(q);
      next.set('Page', String(n));
      next.set('PageToken', `PA${n}`);
      return `${path}?${next}`;
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ messages, page, page_size: size, start: page * size, end: page * size + messages.length - 1, uri: `${path}?${q}`, first_page_uri: pageUri(0), previous_page_uri: page > 0 ? pageUri(page - 1) : null, next_page_uri: (page + 1) * size < matching.length ? pageUri(page + 1) : null }),
    );
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
