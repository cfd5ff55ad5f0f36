/**
 * kill -9 in the middle of sends, per provider kind, on both stores: a real `waymark serve` delivers a push (FCM),
 * an SMS (Twilio), an email (SMTP) and a webhook per user to local providers on loopback. A first wave goes
 * through and is recorded sent; then each provider takes the second wave's requests and its answers are held
 * back (test/channels/outage-gate.ts, `hold`), and the server is killed with SIGKILL with those requests in
 * flight. Restarted on the same database, it sends every message the dead process had claimed again, under the
 * same idempotency key (webhook-id, FCM's data.messageId and collapse key), and nothing else: the doubles
 * are exactly the messages in flight at the kill. Twilio takes no key, so its texts are looked for in its
 * Messages list first: found there, none is sent twice. SMTP takes no key and cannot be asked: each email's
 * end of DATA went out only once its mark was stored, so the emails in flight are held as dead letters
 * (in_doubt), not sent twice; the server has each once. Every wait is on an event (a provider having N
 * requests, the message log saying sent), never on time.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { freePort } from '../../bench/cluster.ts';
import { CLI } from '../cli/run.ts';
import { tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';
import { outageGate, type OutageGate } from '../channels/outage-gate.ts';
import { collapse, fcmFake } from '../channels/push-fakes.ts';
import { smtpServer } from '../channels/smtp-server.ts';
import { fakeTwilio } from '../channels/twilio-server.ts';
import { PG_URL, testSchema, withPostgres } from '../store/postgres-fixture.ts';
import { healthy, sleep } from './scenario.ts';
import { stopWithin } from '../stop-server.ts';
import { webhookReceiver } from '../channels/webhook-receiver.ts';

const ADMIN = 'wm_admin_kill_send_test';
const WRITE = 'wm_write_kill_send_test';
const ACCOUNT = `AC${'0f'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-kill';
const SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const FIRST = ['a1', 'a2'];
const SECOND = ['b1', 'b2', 'b3'];
const phoneOf = (u: string) => `+1415555${String([...FIRST, ...SECOND].indexOf(u)).padStart(4, '0')}`;

interface Db {
  /** `serve` arguments naming it. */
  args: string[];
  /** Ids of the messages claimed by a dispatcher and not yet recorded: in flight. */
  inFlight(): Promise<string[]>;
  /** Ends every lease at once, as 30 s without the dead dispatcher would. */
  expireLeases(): Promise<void>;
  /** Each message's provider id, in the order given. */
  providerIds(ids: string[]): Promise<Array<string | null>>;
  /** The message log as the database has it (the server is down). */
  messages(): Promise<Array<{ id: string; userId: string; nodeId: string; status: string; reason: string | null }>>;
}


/** Resolves once `check` holds: asked again each time a little later (a ceiling for a loaded machine, not a timing expectation). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`never: ${what}`);
    await sleep(20);
  }
}

const counts = (ids: readonly string[]) => {
  const m = new Map<string, number>();
  for (const id of [...ids].sort()) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
};

async function killMidSend(db: Db): Promise<void> {
  const smtp = await smtpServer();
  const twilio = await fakeTwilio({ accountSid: ACCOUNT, user: ACCOUNT, password: TOKEN });
  const fcm = await fcmFake();
  const hooks = await webhookReceiver();
  const gates: Record<string, OutageGate> = {
    email: await outageGate({ port: smtp.port }, 'smtp'),
    sms: await outageGate({ port: Number(new URL(twilio.url).port) }, 'http'),
    // FCM's sends (HTTP/2) are held; its token endpoint, another host, is not behind the gate.
    push: await outageGate({ port: Number(new URL(fcm.baseUrl).port) }, 'h2'),
    webhook: await outageGate({ port: hooks.port }, 'http'),
  };

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const start = () => spawn(process.execPath, [...CLI, 'serve', ...db.args, '--port', String(port)], { env: { ...process.env, WAYMARK_ADMIN_KEY: ADMIN, WAYMARK_WRITE_KEY: WRITE }, stdio: 'ignore' });
  let server: ChildProcess = start();
  after(() => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  });
  await healthy(base, server);
  const call = async (method: string, p: string, body?: unknown, key = ADMIN) => {
    const response = await fetch(`${base}${p}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${p}: ${response.status} ${text}`);
    return JSON.parse(text);
  };

  await call('PUT', '/v1/providers/email', { provider: 'smtp', host: '127.0.0.1', port: gates.email!.port, from: 'Shop <news@shop.test>' });
  await call('PUT', '/v1/providers/sms', { provider: 'twilio', accountSid: ACCOUNT, authToken: TOKEN, from: '+15005550006', baseUrl: gates.sms!.url });
  await call('PUT', '/v1/providers/push', { provider: 'push', fcm: { serviceAccount: JSON.stringify(fcm.account), baseUrl: gates.push!.url } });
  await call('PUT', '/v1/providers/webhook', { provider: 'webhook', secret: SECRET, allowHosts: ['127.0.0.1'] });
  const definition = path('cart', [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Carted' } },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi {{ Profile.name }}', body: 'Your cart' } },
    { id: 'sms', kind: 'send', channel: 'sms', message: { body: 'Your cart, {{ Profile.name }}' } },
    { id: 'email', kind: 'send', channel: 'email', message: { subject: 'Your cart', body: '<p>Hi {{ Profile.name }}</p>' } },
    { id: 'hook', kind: 'send', channel: 'webhook', message: { url: `${gates.webhook!.url}/carts`, body: '{"user": "{{ Profile.name }}"}' } },
    { id: 'out', kind: 'exit' },
  ], { setup: { timezone: 'UTC' } });
  await call('POST', '/v1/journeys', { id: 'cart', definition });
  await call('POST', '/v1/journeys/cart/publish', {});
  await call('POST', '/v1/profiles', { batch: [...FIRST, ...SECOND].map((u) => ({ userId: u, traits: { name: u, email: `${u}@shop.test`, phone: phoneOf(u), pushToken: `fcm-${u}` } })) }, WRITE);
  type Row = { id: string; userId: string; nodeId: string; status: string };
  const log = async (): Promise<Row[]> => (await call('GET', '/v1/messages?limit=100&journeyId=cart')).messages;
  const cart = (users: string[]) => call('POST', '/v1/events', { batch: users.map((u) => ({ messageId: `c-${u}`, userId: u, event: 'Carted', properties: {} })) }, WRITE);

  // The first wave goes through and is recorded.
  await cart(FIRST);
  await until('the first wave sent', async () => (await log()).filter((m) => m.status === 'sent').length === FIRST.length * 4);

  // The second wave: every provider has each request, and no answer reaches the server. Then kill -9.
  for (const gate of Object.values(gates)) await gate.setMode('hold');
  await cart(SECOND);
  await Promise.all(Object.values(gates).map((gate) => gate.held(SECOND.length)));
  server.kill('SIGKILL');
  await new Promise((resolve) => server.once('exit', resolve));
  const inFlight = (await db.inFlight()).sort();
  const rows = await db.messages();
  const second = rows.filter((m) => SECOND.includes(m.userId)).map((m) => m.id).sort();
  assert.deepEqual(inFlight, second, 'in flight at the kill: the second wave, claimed and unrecorded');

  // Back up: the dead dispatcher's leases run out, the providers answer again, the server restarts.
  await db.expireLeases();
  for (const gate of Object.values(gates)) await gate.setMode('up');
  server = start();
  await healthy(base, server);
  // Every message sent but the emails in flight: each held as a dead letter, in doubt.
  const emailsInFlight = rows.filter((m) => m.nodeId === 'email' && inFlight.includes(m.id)).map((m) => m.id).sort();
  assert.equal(emailsInFlight.length, SECOND.length);
  await until('every message settled', async () => {
    const now = await log();
    return now.filter((m) => m.status === 'sent').length === (FIRST.length + SECOND.length) * 4 - emailsInFlight.length && now.filter((m) => m.status === 'dead').length === emailsInFlight.length;
  });
  assert.equal(await stopWithin(server), 0);

  // On each provider, by the message's own key: the first wave once, the messages in flight at the kill twice
  // (emails once: those in flight were not sent again).
  const expected = (node: string, key: (id: string) => string = (id) => id, resent = true) =>
    new Map(rows.filter((m) => m.nodeId === node).map((m) => [key(m.id), resent && inFlight.includes(m.id) ? 2 : 1] as const).sort(([a], [b]) => (a < b ? -1 : 1)));
  assert.deepEqual(counts(hooks.ids), expected('hook'), 'webhooks by webhook-id');
  assert.deepEqual(counts(fcm.sends.map((s) => String((s.body.message.data as Record<string, string>).messageId))), expected('push'), 'FCM by data.messageId');
  // Each copy also carries the message's collapse key (the Android tag, the iOS collapse id, the web tag): the second replaces the first.
  const fcmKeys = (pick: (m: Record<string, Record<string, Record<string, string>>>) => string | undefined) => counts(fcm.sends.map((s) => String(pick(s.body.message as never))));
  assert.deepEqual(fcmKeys((m) => m.android?.notification?.tag), expected('push', collapse), 'FCM by android.notification.tag');
  assert.deepEqual(fcmKeys((m) => m.apns?.headers?.['apns-collapse-id']), expected('push', collapse), 'FCM by apns-collapse-id');
  assert.deepEqual(fcmKeys((m) => m.webpush?.notification?.tag), expected('push', collapse), 'FCM by webpush.notification.tag');
  const messageIds = smtp.mails.map((m) => /^Message-ID: *(\S+)/im.exec(m.raw)?.[1] ?? '');
  assert.deepEqual(counts(messageIds), expected('email', (id) => `<${Buffer.from(id).toString('base64url')}@shop.test>`, false), 'email by Message-ID: once each');
  const settledRows = await db.messages();
  const dead = settledRows.filter((m) => m.status === 'dead');
  assert.deepEqual(dead.map((m) => m.id).sort(), emailsInFlight, 'the emails in flight, and nothing else, held as dead letters');
  for (const m of dead) assert.match(m.reason ?? '', /^in_doubt: /, m.id);
  // Twilio's Messages API takes no idempotency key: each text in flight at the kill was looked for in its
  // Messages list and found, so every number got one SMS, and the message keeps the SID of that one.
  const sms = rows.filter((m) => m.nodeId === 'sms');
  assert.deepEqual(counts(twilio.accepted.map((a) => String(a.form.To))), new Map(sms.map((m) => [phoneOf(m.userId), 1] as const).sort(([a], [b]) => (a < b ? -1 : 1))), 'SMS by number: once each');
  const inDoubt = sms.filter((m) => inFlight.includes(m.id));
  assert.equal(twilio.lists.length, inDoubt.length, 'a list read for each text in doubt, none for the others');
  const sids = await db.providerIds(inDoubt.map((m) => m.id));
  assert.deepEqual(sids, inDoubt.map((m) => twilio.accepted.find((a) => a.form.To === phoneOf(m.userId))!.sid), "each recorded with the SID of Twilio's one copy");
  const doubles = [...hooks.ids, ...fcm.sends.map((s) => String((s.body.message.data as Record<string, string>).messageId))].length + smtp.mails.length + twilio.accepted.length - rows.length;
  assert.equal(doubles, inFlight.length - inDoubt.length - emailsInFlight.length, 'the doubles: the messages in flight at the kill, the texts and emails apart');
}

test('SQLite: kill -9 with a send to each provider in flight: those, and only those, are sent again under the same key, but the emails, held in doubt', { timeout: 180_000 }, async () => {
  const file = join(tempDir(), 'waymark.db');
  const sql = <T>(run: (d: Database.Database) => T): T => {
    const d = new Database(file);
    try {
      return run(d);
    } finally {
      d.close();
    }
  };
  await killMidSend({
    messages: async () => sql((d) => d.prepare('SELECT id, user_id AS userId, node_id AS nodeId, status, reason FROM messages').all() as never),
    args: ['--db', file],
    inFlight: async () => sql((d) => (d.prepare("SELECT id FROM messages WHERE status = 'pending' AND lease_until IS NOT NULL").all() as Array<{ id: string }>).map((r) => r.id)),
    expireLeases: async () => void sql((d) => d.prepare('UPDATE messages SET lease_until = 0 WHERE lease_until IS NOT NULL').run()),
    providerIds: async (ids) => sql((d) => ids.map((id) => d.prepare('SELECT provider_id FROM messages WHERE id = ?').pluck().get(id) as string | null)),
  });
});

await withPostgres('kill -9 mid-send on PostgreSQL', () => {
  test('PostgreSQL: kill -9 with a send to each provider in flight: those, and only those, are sent again under the same key, but the emails, held in doubt', { timeout: 180_000 }, async () => {
    const schema = testSchema();
    after(() => schema.drop());
    const url = new URL(PG_URL);
    url.searchParams.set('schema', schema.name);
    await killMidSend({
      messages: () => schema.query('SELECT id, user_id AS "userId", node_id AS "nodeId", status, reason FROM messages'),
      args: ['--database', url.toString()],
      inFlight: async () => (await schema.query<{ id: string }>("SELECT id FROM messages WHERE status = 'pending' AND lease_until IS NOT NULL")).map((r) => r.id),
      expireLeases: async () => void (await schema.query('UPDATE messages SET lease_until = 0 WHERE lease_until IS NOT NULL')),
      providerIds: async (ids) => Promise.all(ids.map(async (id) => (await schema.query<{ provider_id: string | null }>('SELECT provider_id FROM messages WHERE id = $1', [id]))[0]?.provider_id ?? null)),
    });
  });
});
