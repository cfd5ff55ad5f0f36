/**
 * Email over SMTP to a real smtp-server on loopback: what the recipient's server receives (from, to,
 * reply-to, subject, both parts, Message-ID, one-click unsubscribe headers), and which SMTP answers are
 * retried (4xx) or final (5xx), through the dispatcher.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { messageIdFrom, messageIdOf, smtpSender } from '../../src/channels/smtp.ts';
import { readUnsubscribeToken } from '../../src/channels/unsubscribe.ts';
import { dispatchDue } from '../../src/engine/dispatch.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Message, NewMessage } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';
import { parseMail } from './mail-parse.ts';
import { smtpConfig, smtpServer } from './smtp-server.ts';

const KEY = Buffer.alloc(32, 3);
const KEYS = { unsubscribe: KEY, tracking: Buffer.alloc(32, 5) };
const NOW = 1_700_000_000_000;

function email(id: string, to: string, userId = 'ana'): Message {
  return {
    seq: 1, id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'mail', userId, channel: 'email', status: 'pending', reason: null,
    content: { to, subject: 'Your cart, Ana', body: '<h1>Still thinking?</h1><p>Your cart is <b>waiting</b>: <a href="https://shop.test/cart">back to it</a>.</p>' },
    createdAt: 0, sentAt: null, attempts: 0, claims: 1, sendingAt: null, nextAttemptAt: null, provider: null, openedAt: null, clickedAt: null,
  };
}

test('the recipient server receives from, to, reply-to, subject, the HTML and a text part, the Message-ID and one-click unsubscribe', async () => {
  const { mails, port } = await smtpServer();
  // Tracking off: the HTML as rendered (test/channels/email-tracking.test.ts has it tracked).
  const [outcome] = await smtpSender(smtpConfig(port, { tracking: false }), KEYS).send([email('cart:e1:mail:1', 'ana@x.test')], () => NOW);
  assert.deepEqual(outcome, { id: 'cart:e1:mail:1', status: 'sent', at: NOW, provider: 'smtp' });
  assert.equal(mails.length, 1);
  assert.deepEqual([mails[0]!.from, mails[0]!.to], ['news@shop.test', ['ana@x.test']]);
  const mail = parseMail(mails[0]!.raw);
  assert.equal(mail.headers.get('from'), 'Shop <news@shop.test>');
  assert.equal(mail.headers.get('to'), 'ana@x.test');
  assert.equal(mail.headers.get('reply-to'), 'help@shop.test');
  assert.equal(mail.headers.get('subject'), 'Your cart, Ana');
  // base64url of "cart:e1:mail:1" is Y2FydDplMTptYWlsOjE
  assert.equal(mail.headers.get('message-id'), '<Y2FydDplMTptYWlsOjE@shop.test>');
  assert.equal(messageIdOf('cart:e1:mail:1', 'Shop <news@shop.test>'), '<Y2FydDplMTptYWlsOjE@shop.test>');
  // And back, as a bounce report names it: only what messageIdOf writes, at any domain.
  assert.equal(messageIdFrom('<Y2FydDplMTptYWlsOjE@shop.test>'), 'cart:e1:mail:1');
  assert.equal(messageIdFrom(' <Y2FydDplMTptYWlsOjE@old.example> (comment)'), 'cart:e1:mail:1');
  for (const other of ['<Zm9vYh@shop.test>', '<Y2FydA.x@shop.test>', '<AA@shop.test>', '<@shop.test>', 'Y2FydDplMTptYWlsOjE@shop.test', '<CAJ9x8=q@mail.gmail.com>']) assert.equal(messageIdFrom(other), null, other);
  const html = mail.parts.find((p) => p.type === 'text/html')!.text;
  const text = mail.parts.find((p) => p.type === 'text/plain')!.text.replace(/\r\n/g, '\n'); // lines end in CRLF on the wire
  assert.equal(html, '<h1>Still thinking?</h1><p>Your cart is <b>waiting</b>: <a href="https://shop.test/cart">back to it</a>.</p>');
  assert.equal(text, 'Still thinking?\n\nYour cart is waiting: back to it (https://shop.test/cart).');
  assert.equal(mail.headers.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
  const link = /^<https:\/\/waymark\.shop\.test\/v1\/unsubscribe\/([^>]+)>$/.exec(mail.headers.get('list-unsubscribe') ?? '');
  assert.ok(link, mail.headers.get('list-unsubscribe'));
  assert.deepEqual(readUnsubscribeToken(KEY, link[1]!), { userId: 'ana', channel: 'email' });
  assert.equal(readUnsubscribeToken(Buffer.alloc(32, 4), link[1]!), null, 'another key does not read it');
});

test('without a public URL there is no List-Unsubscribe header', async () => {
  const { mails, port } = await smtpServer();
  await smtpSender(smtpConfig(port, { publicUrl: undefined }), KEYS).send([email('m1', 'ana@x.test')], () => NOW);
  const mail = parseMail(mails[0]!.raw);
  assert.equal(mail.headers.has('list-unsubscribe'), false);
});

test('a 4xx answer is retried, a 5xx (550 no such user) is final and marks the address bounced, through the dispatcher', async () => {
  const { mails, port } = await smtpServer({ refuse: ['nobody@x.test'], deferOnce: ['busy@x.test'] });
  const store = new SqliteStore(join(tempDir(), 'smtp.db'));
  after(() => store.close());
  const m = (id: string, to: string): NewMessage => ({ id, journeyId: 'cart', version: 1, instanceId: id, nodeId: 'mail', userId: id, channel: 'email', status: 'pending', reason: null, content: { to, subject: 's', body: '<p>b</p>' }, createdAt: 0, sentAt: null });
  await store.ingestEvents([{ messageId: 'e', userId: 'u', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages: [m('nobody', 'nobody@x.test'), m('busy', 'busy@x.test')] }));
  let now = NOW;
  const channels = { ...outboxOnly(), email: smtpSender(smtpConfig(port), KEYS) };
  const dispatch = () => dispatchDue({ store, channels, now: () => now, random: () => 0.5 });
  await dispatch();
  const log = async () => Object.fromEntries((await store.listMessages({ limit: 10 })).map((x) => [x.id, [x.status, x.attempts, x.nextAttemptAt, x.reason?.slice(0, 8) ?? null]]));
  assert.deepEqual(await log(), { nobody: ['failed', 1, null, 'smtp_550'], busy: ['pending', 1, NOW + 22_500, 'smtp_451'] });
  // The recipient refused at RCPT is a hard bounce: kept on the profile, so later sends to it are skipped.
  assert.deepEqual((await store.getProfile('nobody'))?.traits, { emailBounced: 'nobody@x.test' });
  assert.equal(await store.getProfile('busy'), null, 'a deferral marks nothing');
  now = NOW + 22_500;
  await dispatch();
  assert.deepEqual(await log(), { nobody: ['failed', 1, null, 'smtp_550'], busy: ['sent', 2, null, null] });
  assert.deepEqual(mails.map((x) => x.to), [['busy@x.test']]);
});

test('an SMTP server that cannot be reached is a transient failure', async () => {
  // Nothing listens on port 1.
  const [outcome] = await smtpSender(smtpConfig(1), KEYS).send([email('m1', 'ana@x.test')], () => NOW);
  assert.equal(outcome!.status, 'transient');
});
