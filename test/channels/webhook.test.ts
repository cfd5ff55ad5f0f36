/**
 * Webhooks against a real HTTP server on loopback: the Standard Webhooks signature checked independently,
 * retries on 500 and 429 (Retry-After), none on 400, the timeout, and the address guard.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isBlockedAddress } from '../../src/channels/address-guard.ts';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { webhookSender } from '../../src/channels/webhook.ts';
import { dispatchDue } from '../../src/engine/dispatch.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Message } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';

const KEY = Buffer.alloc(32, 7);
const SECRET = `whsec_${KEY.toString('base64')}`;
const NOW = 1_700_000_000_123;

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A server that answers each request with the next of `answers` (then 200), and records what it got. */
async function server(answers: Array<(res: ServerResponse) => void> = []) {
  const received: Received[] = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const answer = answers.shift();
      if (answer) answer(res);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  after(() => {
    s.closeAllConnections();
    s.close();
  });
  return { received, port: (s.address() as AddressInfo).port };
}

function message(id: string, url: string, body = '{"cart":"c1","total":42}'): Message {
  return {
    seq: 1, id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'hook', userId: 'u1', channel: 'webhook', status: 'pending', reason: null,
    content: { url, body }, createdAt: 0, sentAt: null, attempts: 0, claims: 1, sendingAt: null, nextAttemptAt: null, provider: null, openedAt: null, clickedAt: null,
  };
}

test('a webhook POSTs the rendered body to its URL, signed per Standard Webhooks with the message id', async () => {
  const { received, port } = await server();
  const sender = webhookSender({ secret: SECRET, allowHosts: ['127.0.0.1'] });
  const outcomes = await sender.send([message('cart:e1:hook:1', `http://127.0.0.1:${port}/hooks?x=1`)], () => NOW);
  assert.deepEqual(outcomes, [{ id: 'cart:e1:hook:1', status: 'sent', at: NOW, provider: 'webhook' }]);
  assert.equal(received.length, 1);
  const r = received[0]!;
  assert.deepEqual([r.method, r.url, r.body], ['POST', '/hooks?x=1', '{"cart":"c1","total":42}']);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['webhook-id'], 'cart:e1:hook:1');
  assert.equal(r.headers['webhook-timestamp'], '1700000000');
  const expected = createHmac('sha256', KEY).update('cart:e1:hook:1.1700000000.{"cart":"c1","total":42}').digest('base64');
  assert.equal(r.headers['webhook-signature'], `v1,${expected}`);
});

test('500 and 429 are retried (Retry-After honoured), 400 is final, through the dispatcher', async () => {
  const { received, port } = await server([
    (res) => res.writeHead(500).end(),
    (res) => res.writeHead(400).end('no'),
    (res) => res.writeHead(429, { 'retry-after': '7' }).end(),
  ]);
  const store = new SqliteStore(join(tempDir(), 'hooks.db'));
  after(() => store.close());
  const url = `http://127.0.0.1:${port}/`;
  const m = (id: string) => ({ id, journeyId: 'cart', version: 1, instanceId: id, nodeId: 'hook', userId: 'u1', channel: 'webhook' as const, status: 'pending' as const, reason: null, content: { url, body: `{"id":"${id}"}` }, createdAt: 0, sentAt: null });
  await store.ingestEvents([{ messageId: 'e', userId: 'u1', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages: [m('a')] }));
  let now = NOW;
  // One request at a time, so the server's answers go in order.
  const channels = { ...outboxOnly(), webhook: webhookSender({ secret: SECRET, allowHosts: ['127.0.0.1'] }) };
  const dispatch = () => dispatchDue({ store, channels, now: () => now, random: () => 0.5 });
  await dispatch(); // a: 500
  await store.ingestEvents([{ messageId: 'e2', userId: 'u1', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages: [m('b')] }));
  await dispatch(); // b: 400 (a is not due: 15 s later)
  await store.ingestEvents([{ messageId: 'e3', userId: 'u1', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages: [m('c')] }));
  await dispatch(); // c: 429, Retry-After 7 s
  const log = async () => Object.fromEntries((await store.listMessages({ limit: 10 })).map((x) => [x.id, [x.status, x.attempts, x.nextAttemptAt, x.reason]]));
  assert.deepEqual(await log(), {
    a: ['pending', 1, NOW + 22_500, 'http_500'],
    b: ['failed', 1, null, 'http_400'],
    c: ['pending', 1, NOW + 7_000, 'http_429'],
  });
  now = NOW + 22_500;
  await dispatch(); // c (due first) and a, sent at once: both 200
  assert.deepEqual(await log(), { a: ['sent', 2, null, null], b: ['failed', 1, null, 'http_400'], c: ['sent', 2, null, null] });
  assert.deepEqual(received.slice(0, 3).map((r) => r.headers['webhook-id']), ['a', 'b', 'c']);
  assert.deepEqual(received.slice(3).map((r) => r.headers['webhook-id']).sort(), ['a', 'c']);
  assert.equal(new Set(received.filter((r) => r.headers['webhook-id'] === 'a').map((r) => r.body)).size, 1, 'a retry sends the same body under the same id');
});

test('no answer within the timeout is a transient failure', async () => {
  const { port } = await server([() => {}]); // never answers
  const sender = webhookSender({ secret: SECRET, allowHosts: ['127.0.0.1'], timeoutMs: 200 });
  const [outcome] = await sender.send([message('m1', `http://127.0.0.1:${port}/`)], () => NOW);
  assert.deepEqual([outcome!.status, outcome!.error], ['transient', 'timeout']);
});

test('the answer is taken at its status: a body that never ends holds nothing up', async () => {
  const { port } = await server([(res) => res.writeHead(202).write('streaming…')]); // never ended
  const sender = webhookSender({ secret: SECRET, allowHosts: ['127.0.0.1'], timeoutMs: 60_000 });
  const [outcome] = await sender.send([message('m1', `http://127.0.0.1:${port}/`)], () => NOW);
  assert.equal(outcome!.status, 'sent');
});

test('a redirect is not followed: it fails for good', async () => {
  const { received, port } = await server([(res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end()]);
  const [outcome] = await webhookSender({ secret: SECRET, allowHosts: ['127.0.0.1'] }).send([message('m1', `http://127.0.0.1:${port}/`)], () => NOW);
  assert.deepEqual([outcome!.status, outcome!.error, received.length], ['failed', 'http_302: redirects are not followed', 1]);
});

test('loopback, private, link-local and metadata addresses are refused for good, by name or by address, unless allowed', async () => {
  const { received, port } = await server();
  const sender = webhookSender({ secret: SECRET });
  const urls = [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://[::1]:${port}/`, 'http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3/', 'http://192.168.0.10/', 'http://172.20.0.1/', 'http://0.0.0.0/', 'http://[fd00:ec2::254]/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/'];
  const outcomes = await sender.send(urls.map((u, i) => message(`m${i}`, u)), () => NOW);
  assert.deepEqual(outcomes.map((o) => [o.status, o.error]), urls.map(() => ['failed', 'blocked_address']));
  assert.equal(received.length, 0, 'nothing reached the server');

  // A name whose addresses include a private one is refused; an allowed name connects to the address checked.
  const resolve = async (host: string) => (host === 'mixed.test' ? [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
  const [mixed] = await webhookSender({ secret: SECRET }, resolve).send([message('x', 'http://mixed.test/')], () => NOW);
  assert.deepEqual([mixed!.status, mixed!.error], ['failed', 'blocked_address']);
  const [allowed] = await webhookSender({ secret: SECRET, allowHosts: ['hooks.test'] }, resolve).send([message('y', `http://hooks.test:${port}/in`)], () => NOW);
  assert.equal(allowed!.status, 'sent');
  assert.deepEqual([received[0]!.headers.host, received[0]!.url], [`hooks.test:${port}`, '/in']);
});

test('other URLs are refused for good: not http(s), credentials, not a URL', async () => {
  const sender = webhookSender({ secret: SECRET });
  const outcomes = await sender.send([message('a', 'ftp://x.test/'), message('b', 'http://u:p@x.test/'), message('c', 'not a url')], () => NOW);
  assert.deepEqual(outcomes.map((o) => [o.id, o.status]), [['a', 'failed'], ['b', 'failed'], ['c', 'failed']]);
});

test('the address guard', () => {
  for (const a of ['127.0.0.1', '127.9.9.9', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', '::', 'fc00::1', 'fdff::1', 'fe80::1', '::ffff:10.0.0.1', 'not-an-ip']) assert.equal(isBlockedAddress(a), true, a);
  for (const a of ['8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(isBlockedAddress(a), false, a);
});

test('a batch has at most `concurrency` requests in flight: the receiver holds each wave until it is full', async () => {
  const waiting: ServerResponse[] = [];
  let inFlight = 0;
  let most = 0;
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      waiting.push(res);
      // A wave of three is answered together: with fewer in flight the batch would never finish.
      if (waiting.length === 3) {
        for (const r of waiting.splice(0)) {
          inFlight -= 1;
          r.writeHead(200).end('ok');
        }
      }
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  after(() => {
    s.closeAllConnections();
    s.close();
  });
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`;
  const sender = webhookSender({ secret: SECRET, allowHosts: ['127.0.0.1'], concurrency: 3 });
  const outcomes = await sender.send(Array.from({ length: 9 }, (_, i) => message(`m${i}`, url)), () => 0);
  assert.deepEqual(outcomes.map((o) => o.status), Array(9).fill('sent'));
  assert.equal(most, 3);
});
