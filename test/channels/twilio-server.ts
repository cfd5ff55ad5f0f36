/**
 * A fake of Twilio's Messages API on 127.0.0.1, per its public docs: POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, Basic auth (the account SID and auth token,
 * or an API key SID and secret). 201 with the Message resource (sid SM + 32 hex digits, status queued); 401
 * with error 20003 for bad credentials; 400 with error 21604 (To missing), 21603 (From missing), 21610 for a
 * recipient who replied STOP. Scripted answers (`answers`) come first, one per request.
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
  accepted: Array<{ sid: string; form: Record<string, string> }>;
  /** Numbers that replied STOP: sending to them is error 21610. */
  unsubscribed: Set<string>;
  answers: Array<(res: ServerResponse) => void>;
}

export function twilioError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
}

export async function fakeTwilio(credentials: { accountSid: string; user: string; password: string }): Promise<FakeTwilio> {
  const fake: FakeTwilio = { url: '', requests: [], accepted: [], unsubscribed: new Set(), answers: [] };
  let count = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      fake.requests.push({ path: req.url!, authorization: req.headers.authorization, contentType: req.headers['content-type'], form });
      if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${credentials.accountSid}/Messages.json`) return twilioError(res, 404, 20404, 'The requested resource was not found');
      if (req.headers.authorization !== `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}`) return twilioError(res, 401, 20003, 'Authenticate');
      const answer = fake.answers.shift();
      if (answer) return answer(res);
      if (!form.To) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
      if (!form.From && !form.MessagingServiceSid) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
      if (fake.unsubscribed.has(form.To.replace(/^whatsapp:/, ''))) return twilioError(res, 400, 21610, 'Attempt to send to unsubscribed recipient');
      const sid = `SM${(++count).toString(16).padStart(32, '0')}`;
      fake.accepted.push({ sid, form });
      res.writeHead(201, { 'content-type': 'application/json' }).end(
        JSON.stringify({ sid, account_sid: credentials.accountSid, to: form.To, from: form.From ?? null, messaging_service_sid: form.MessagingServiceSid ?? null, body: form.Body, status: 'queued', num_segments: '1', direction: 'outbound-api', error_code: null, error_message: null, uri: `/2010-04-01/Accounts/${credentials.accountSid}/Messages/${sid}.json` }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
