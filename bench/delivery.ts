/**
 * Sends per second through one channel's real sender and the real dispatcher, to a local provider that answers
 * every request after a fixed latency: FCM (push), Twilio (sms), a webhook receiver, or an SMTP server (email).
 *
 *   node --import tsx bench/delivery.ts --channel push|sms|webhook|email [--count N] [--latency-ms 100] [--concurrency C]
 *
 * N pending messages (default 10,000) are written to a fresh SQLite store, then dispatched until none is left.
 * Prints the rate, and the messages the provider got twice (must be 0) or never (must be 0).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import type { ChannelSender } from '../src/channels/channel.ts';
import { outboxOnly } from '../src/channels/outbox.ts';
import { pushSender } from '../src/channels/push.ts';
import { smtpSender } from '../src/channels/smtp.ts';
import { twilioSender } from '../src/channels/twilio.ts';
import { webhookSender } from '../src/channels/webhook.ts';
import type { Channel } from '../src/core/channels.ts';
import { dispatchDue } from '../src/engine/dispatch.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { MessageContent, NewMessage } from '../src/store/store.ts';

const { values } = parseArgs({ options: { channel: { type: 'string', default: 'push' }, count: { type: 'string', default: '10000' }, 'latency-ms': { type: 'string', default: '100' }, concurrency: { type: 'string' } } });
const channel = values.channel as Channel;
const count = Number(values.count);
const latency = Number(values['latency-ms']);
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
if (!['push', 'sms', 'webhook', 'email'].includes(channel) || !Number.isInteger(count) || count < 1 || !(latency >= 0)) {
  process.stderr.write('delivery: --channel push|sms|webhook|email, --count a positive whole number, --latency-ms 0 or more\n');
  process.exit(2);
}

/** Each message id the provider took, and how many times. */
const got = new Map<string, number>();
const take = (id: string) => got.set(id, (got.get(id) ?? 0) + 1);
const later = (fn: () => void) => setTimeout(fn, latency);

async function httpProvider(answer: (path: string, body: string) => { status: number; body: string }): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const a = answer(req.url ?? '', body);
      later(() => res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.once('beforeExit', () => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function providerAndSender(): Promise<{ sender: ChannelSender; content: (i: number) => MessageContent; close(): void }> {
  if (channel === 'push') {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const base = await httpProvider((path, body) => {
      if (path === '/token') return { status: 200, body: JSON.stringify({ access_token: 'ya29.bench', expires_in: 3599, token_type: 'Bearer' }) };
      take(String((JSON.parse(body) as { message: { data: { messageId: string } } }).message.data.messageId));
      return { status: 200, body: JSON.stringify({ name: 'projects/bench/messages/1' }) };
    });
    const serviceAccount = { project_id: 'bench', client_email: 'bench@bench.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), token_uri: `${base}/token` };
    const sender = pushSender({ fcm: { serviceAccount, baseUrl: base, timeoutMs: 30_000 }, ...(concurrency ? { concurrency } : {}) });
    return { sender, content: (i) => ({ title: 'Still there?', body: 'Your cart misses you', to: `fcm-token-${i}` }), close: () => sender.close() };
  }
  if (channel === 'sms') {
    let sid = 0;
    const base = await httpProvider((_path, body) => {
      take(new URLSearchParams(body).get('Body')!.slice(5));
      return { status: 201, body: JSON.stringify({ sid: `SM${(++sid).toString(16).padStart(32, '0')}`, status: 'queued' }) };
    });
    const sender = twilioSender({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'bench', from: '+15005550006', baseUrl: base, timeoutMs: 30_000, whatsapp: false, ...(concurrency ? { concurrency } : {}) });
    return { sender, content: (i) => ({ body: `Cart ${i}`, to: '+14155550100' }), close: () => {} };
  }
  if (channel === 'webhook') {
    const base = await httpProvider((_path, body) => {
      take(String((JSON.parse(body) as { i: number }).i));
      return { status: 200, body: '{}' };
    });
    const sender = webhookSender({ secret: `whsec_${randomBytes(32).toString('base64')}`, allowHosts: ['127.0.0.1'], timeoutMs: 30_000, ...(concurrency ? { concurrency } : {}) });
    return { sender, content: (i) => ({ url: `${base}/hook`, body: JSON.stringify({ i }) }), close: () => {} };
  }
  const smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        take(/^Subject: Cart (\d+)/m.exec(raw)?.[1] ?? '?');
        later(() => callback());
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  const sender = smtpSender({ host: '127.0.0.1', port, secure: false, from: 'Shop <news@shop.test>', timeoutMs: 30_000 }, { unsubscribe: randomBytes(32), tracking: randomBytes(32) });
  return { sender, content: (i) => ({ subject: `Cart ${i}`, body: '<p>Your cart misses you</p>', to: `u${i}@shop.test` }), close: () => smtp.close() };
}

const dir = mkdtempSync(join(tmpdir(), 'waymark-delivery-'));
const store = new SqliteStore(join(dir, 'bench.db'), { durability: 'fast' });
const { sender, content, close } = await providerAndSender();
// The key each provider sees for message i (what take() records), so missing and doubled ones can be counted.
const keyOf = (i: number) => (channel === 'push' ? `m${i}` : String(i));
for (let from = 0; from < count; from += 5_000) {
  const messages: NewMessage[] = [];
  for (let i = from; i < Math.min(count, from + 5_000); i++) {
    messages.push({ id: `m${i}`, journeyId: 'bench', version: 1, instanceId: `i${i}`, nodeId: 'send', userId: `u${i}`, channel, status: 'pending', reason: null, content: content(i), createdAt: 0, sentAt: null });
  }
  await store.ingestEvents([{ messageId: `e${from}`, userId: 'bench', name: 'Bench', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages }));
}
const started = performance.now();
const recorded = await dispatchDue({ store, channels: { ...outboxOnly(), [channel]: sender }, now: () => Date.now() });
const seconds = (performance.now() - started) / 1000;
let missing = 0;
let twice = 0;
for (let i = 0; i < count; i++) {
  const n = got.get(keyOf(i)) ?? 0;
  if (n === 0) missing += 1;
  if (n > 1) twice += n - 1;
}
const sent = (await store.listMessages({ limit: count })).filter((m) => m.status === 'sent').length;
process.stdout.write(
  `delivery ${channel}: ${count} messages, provider latency ${latency} ms, concurrency ${concurrency ?? 'default'}: ${seconds.toFixed(2)} s, ${Math.round(count / seconds)} a second; ` +
    `recorded ${recorded}, sent ${sent}, missing ${missing}, twice ${twice}\n`,
);
close();
await store.close();
rmSync(dir, { recursive: true, force: true });
process.exit(missing === 0 && twice === 0 && sent === count ? 0 : 1);
