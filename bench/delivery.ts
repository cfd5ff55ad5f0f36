/**
 * Sends per second through one channel's real sender and the real dispatcher, to a local provider that answers
 * every request after a fixed latency: FCM (push), Twilio (sms), a webhook receiver, or an SMTP server (email).
 *
 *   node --import tsx bench/delivery.ts --channel push|sms|webhook|email [--count N] [--latency-ms 100]
 *        [--concurrency C] [--rate R] [--dispatchers D]
 *
 * N pending messages (default 10,000) are written to a fresh SQLite store, then dispatched until none is left.
 * The fake provider runs in a child process (as a real one is on another machine), so the figures are the
 * sender's alone: it has its own core, and its CPU is measured apart. The provider counts what it took and
 * reports it over IPC. Printed: the rate; the messages the provider got twice (must be 0) or never (must be
 * 0); the sender process's CPU in all and per message (what caps the rate on one core); the concurrency set
 * and the most requests the provider saw in flight at once (what hides the latency: at most concurrency x
 * 1000 / latency a second). --rate sets the provider's ratePerSecond (the rate then stays under it). Messages
 * "left pending" waited past half their lease (docs/channels.md) and count as missing: the provider was slower
 * than the claims (or the machine too busy to keep up).
 * `node --cpu-prof --import tsx bench/delivery.ts ...` profiles the sender only (the child is not profiled).
 * --dispatchers D runs D dispatchers, each in a thread of its own with its own connection to the SQLite file
 * and its own sender (so D times the concurrency in flight): what a second core would give delivery. Its CPU
 * figures are the whole sender process's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import http2 from 'node:http2';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, Worker, workerData, parentPort } from 'node:worker_threads';
import type { ChannelSender } from '../src/channels/channel.ts';
import { outboxOnly } from '../src/channels/outbox.ts';
import { PUSH_CONCURRENCY, pushSender } from '../src/channels/push.ts';
import { SMTP_CONCURRENCY, smtpSender } from '../src/channels/smtp.ts';
import { TWILIO_CONCURRENCY, twilioSender } from '../src/channels/twilio.ts';
import { WEBHOOK_CONCURRENCY, webhookSender } from '../src/channels/webhook.ts';
import type { Channel } from '../src/core/channels.ts';
import { dispatchDue } from '../src/engine/dispatch.ts';
import { threadEntry } from '../src/store/thread-entry.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { MessageContent, NewMessage } from '../src/store/store.ts';

const { values } = parseArgs({
  args: isMainThread ? process.argv.slice(2) : (workerData as { args: string[] }).args,
  options: {
    channel: { type: 'string', default: 'push' },
    count: { type: 'string', default: '10000' },
    'latency-ms': { type: 'string', default: '100' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    'as-provider': { type: 'boolean', default: false },
    dispatchers: { type: 'string', default: '1' },
  },
});
const dispatchers = Number(values.dispatchers);
const channel = values.channel as Channel;
const count = Number(values.count);
const latency = Number(values['latency-ms']);
const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
const rate = values.rate === undefined ? undefined : Number(values.rate);
if (!['push', 'sms', 'webhook', 'email'].includes(channel) || !Number.isInteger(count) || count < 1 || !(latency >= 0) || !Number.isInteger(dispatchers) || dispatchers < 1) {
  process.stderr.write('delivery: --channel push|sms|webhook|email, --count a positive whole number, --latency-ms 0 or more, --dispatchers 1 or more\n');
  process.exit(2);
}

/** What the provider process reports at the end. */
interface Report {
  got: Array<[string, number]>;
  mostInFlight: number;
  cpuMs: number;
}

// ---- The provider (child process) ----

async function provider(): Promise<void> {
  const got = new Map<string, number>();
  let inFlight = 0;
  let mostInFlight = 0;
  const take = (id: string) => {
    got.set(id, (got.get(id) ?? 0) + 1);
    mostInFlight = Math.max(mostInFlight, ++inFlight);
  };
  const later = (fn: () => void) =>
    setTimeout(() => {
      inFlight -= 1;
      fn();
    }, latency);

  let address: string;
  if (channel === 'email') {
    // A lean SMTP responder, not smtp-server (which the tests use): it took 489 µs of CPU a message, half a core
    // at 1,000 emails a second, on the machine the sender runs on. A relay is on a machine of its own.
    const smtp = createNetServer((socket) => {
      socket.on('error', () => {});
      socket.write('220 bench ESMTP\r\n');
      let pending = '';
      let inData = false;
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        for (;;) {
          if (inData) {
            const end = pending.indexOf('\r\n.\r\n');
            if (end < 0) break;
            take(/^Subject: Cart (\d+)/m.exec(pending.slice(0, end))?.[1] ?? '?');
            pending = pending.slice(end + 5);
            inData = false;
            later(() => socket.write('250 2.0.0 queued\r\n'));
            continue;
          }
          const eol = pending.indexOf('\r\n');
          if (eol < 0) break;
          const verb = pending.slice(0, 4).toUpperCase();
          pending = pending.slice(eol + 2);
          if (verb === 'EHLO') socket.write('250-bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 10485760\r\n');
          else if (verb === 'DATA') {
            inData = true;
            socket.write('354 go ahead\r\n');
          } else if (verb === 'QUIT') socket.end('221 bye\r\n');
          else socket.write('250 OK\r\n'); // HELO, MAIL, RCPT, RSET, NOOP
        }
      });
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', 10_000, resolve));
    address = String((smtp.address() as AddressInfo).port);
  } else {
    let sid = 0;
    const keyOf: Record<string, (body: string) => string> = {
      push: (body) => String((JSON.parse(body) as { message: { data: { messageId: string } } }).message.data.messageId),
      sms: (body) => new URLSearchParams(body).get('Body')!.slice(5),
      webhook: (body) => String((JSON.parse(body) as { i: number }).i),
    };
    const answerOf: Record<string, () => [number, string]> = {
      push: () => [200, JSON.stringify({ name: 'projects/bench/messages/1' })],
      sms: () => [201, JSON.stringify({ sid: `SM${(++sid).toString(16).padStart(32, '0')}`, status: 'queued' })],
      webhook: () => [200, '{}'],
    };
    const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        if (req.url === '/token') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'ya29.bench', expires_in: 3599, token_type: 'Bearer' }));
          return;
        }
        take(keyOf[channel]!(body));
        const [status, answer] = answerOf[channel]!();
        later(() => res.writeHead(status, { 'content-type': 'application/json' }).end(answer));
      });
    });
    server.maxHeadersCount = 100;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', 10_000, resolve));
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (channel === 'push') {
      // FCM's sends are HTTP/2 (its token endpoint, another host, HTTP/1.1), 100 streams a connection as Google's front ends allow.
      const h2 = http2.createServer({ settings: { maxConcurrentStreams: 100 } });
      h2.on('stream', (stream) => {
        stream.on('error', () => {}); // a sender that gave up on it
        let body = '';
        stream.on('data', (c) => (body += c));
        stream.on('end', () => {
          take(keyOf.push!(body));
          const [status, answer] = answerOf.push!();
          later(() => {
            if (stream.destroyed) return;
            stream.respond({ ':status': status, 'content-type': 'application/json' });
            stream.end(answer);
          });
        });
      });
      await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', 10_000, resolve));
      address = `${address} http://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    }
  }
  process.on('message', () => {
    const cpu = process.cpuUsage();
    const report: Report = { got: [...got], mostInFlight, cpuMs: (cpu.user + cpu.system) / 1000 };
    process.send!(report, () => process.exit(0));
  });
  process.send!({ address });
}

if (values['as-provider']) {
  await provider();
} else if (!isMainThread) {
  await dispatcherThread();
} else {
  await dispatcher();
}

/** One more dispatcher, in its own thread, on its own connection to the file: dispatches until none is left. */
async function dispatcherThread(): Promise<void> {
  const { file, address } = workerData as { file: string; address: string };
  const { sender } = senderFor(address);
  const store = new SqliteStore(file, { durability: 'fast' });
  const recorded = await dispatchDue({ store, channels: { ...outboxOnly(), [channel]: sender }, now: () => Date.now() });
  sender.close?.();
  await store.close();
  parentPort!.postMessage(recorded);
}

// ---- The sender side (this process) ----

async function startProvider(): Promise<{ child: ChildProcess; address: string }> {
  // Without --cpu-prof and the like: a profile of the sender alone.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--cpu-prof') && !a.startsWith('--heap-prof'));
  const child = fork(fileURLToPath(import.meta.url), [...process.argv.slice(2), '--as-provider'], { execArgv });
  const address = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { address: string }).address));
    child.once('exit', (code) => reject(new Error(`the provider process ended (${code})`)));
  });
  return { child, address };
}

function senderFor(address: string): { sender: ChannelSender & { close?(): void }; content: (i: number) => MessageContent; defaultConcurrency: number } {
  const limits = { ...(concurrency ? { concurrency } : {}), ...(rate ? { ratePerSecond: rate } : {}) };
  if (channel === 'push') {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const [tokenHost, sendHost] = address.split(' ');
    const serviceAccount = { project_id: 'bench', client_email: 'bench@bench.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), token_uri: `${tokenHost}/token` };
    const sender = pushSender({ fcm: { serviceAccount, baseUrl: sendHost, timeoutMs: 30_000 }, ...limits });
    return { sender, content: (i) => ({ title: 'Still there?', body: 'Your cart misses you', to: `fcm-token-${i}` }), defaultConcurrency: PUSH_CONCURRENCY };
  }
  if (channel === 'sms') {
    const sender = twilioSender({ accountSid: `AC${'0'.repeat(32)}`, authToken: 'bench', from: '+15005550006', baseUrl: address, timeoutMs: 30_000, whatsapp: false, ...limits });
    return { sender, content: (i) => ({ body: `Cart ${i}`, to: '+14155550100' }), defaultConcurrency: TWILIO_CONCURRENCY };
  }
  if (channel === 'webhook') {
    const sender = webhookSender({ secret: `whsec_${randomBytes(32).toString('base64')}`, allowHosts: ['127.0.0.1'], timeoutMs: 30_000, ...limits });
    return { sender, content: (i) => ({ url: `${address}/hook`, body: JSON.stringify({ i }) }), defaultConcurrency: WEBHOOK_CONCURRENCY };
  }
  const sender = smtpSender({ host: '127.0.0.1', port: Number(address), secure: false, from: 'Shop <news@shop.test>', timeoutMs: 30_000, ...limits }, { unsubscribe: randomBytes(32), tracking: randomBytes(32) });
  return { sender, content: (i) => ({ subject: `Cart ${i}`, body: '<p>Your cart misses you</p>', to: `u${i}@shop.test` }), defaultConcurrency: SMTP_CONCURRENCY };
}

async function dispatcher(): Promise<void> {
  const { child, address } = await startProvider();
  const { sender, content, defaultConcurrency } = senderFor(address);
  const dir = mkdtempSync(join(tmpdir(), 'waymark-delivery-'));
  const store = new SqliteStore(join(dir, 'bench.db'), { durability: 'fast' });
  // The key each provider sees for message i (what take() records), so missing and doubled ones can be counted.
  const keyOf = (i: number) => (channel === 'push' ? `m${i}` : String(i));
  for (let from = 0; from < count; from += 5_000) {
    const messages: NewMessage[] = [];
    for (let i = from; i < Math.min(count, from + 5_000); i++) {
      messages.push({ id: `m${i}`, journeyId: 'bench', version: 1, instanceId: `i${i}`, nodeId: 'send', userId: `u${i}`, channel, status: 'pending', reason: null, content: content(i), createdAt: 0, sentAt: null });
    }
    await store.ingestEvents([{ messageId: `e${from}`, userId: 'bench', name: 'Bench', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages }));
  }

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const others = Array.from({ length: dispatchers - 1 }, () => {
    const worker = new Worker(threadEntry(import.meta.url, 'delivery'), { workerData: { file: join(dir, 'bench.db'), address, args: process.argv.slice(2) } });
    return new Promise<number>((resolve, reject) => {
      worker.once('message', (n) => resolve(n as number));
      worker.once('error', reject);
    });
  });
  const recorded = (await Promise.all([dispatchDue({ store, channels: { ...outboxOnly(), [channel]: sender }, now: () => Date.now() }), ...others])).reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;

  child.send('report');
  const report = await new Promise<Report>((resolve) => child.once('message', (m) => resolve(m as Report)));
  const got = new Map(report.got);
  let missing = 0;
  let twice = 0;
  for (let i = 0; i < count; i++) {
    const n = got.get(keyOf(i)) ?? 0;
    if (n === 0) missing += 1;
    if (n > 1) twice += n - 1;
  }
  const listed = await store.listMessages({ limit: count });
  const sent = listed.filter((m) => m.status === 'sent').length;
  // Left pending: skipped because their turn came after half their lease (a provider slower than the claims).
  const pending = listed.filter((m) => m.status === 'pending').length;
  process.stdout.write(
    `delivery ${channel}: ${count} messages, provider latency ${latency} ms, concurrency ${concurrency ?? `${defaultConcurrency} (default)`}${dispatchers > 1 ? ` in each of ${dispatchers} dispatchers` : ''}, rate ${rate ?? 'unlimited'}: ` +
      `${seconds.toFixed(2)} s, ${Math.round(count / seconds)} a second; recorded ${recorded}, sent ${sent}, left pending ${pending}, missing ${missing}, twice ${twice}; ` +
      `sender CPU ${(cpuMs / 1000).toFixed(2)} s (${Math.round((cpuMs * 1000) / count)} µs a message, ${Math.round((100 * cpuMs) / 1000 / seconds)}% of a core), ` +
      `provider CPU ${(report.cpuMs / 1000).toFixed(2)} s; most in flight at the provider ${report.mostInFlight}\n`,
  );
  sender.close?.();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(missing === 0 && twice === 0 && sent === count ? 0 : 1);
}
