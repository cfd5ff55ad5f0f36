/**
 * What an email looks like on the wire (src/channels/email-message.ts) and how its connections are kept
 * (src/channels/smtp-connections.ts), through the real sender to a real smtp-server on loopback, read back with
 * mailparser: non-ASCII everywhere, a header injection in the subject, long lines, lines that start with a dot,
 * display names and an IDN domain; one connection for messages in a row, kept after a refusal; a server that
 * drops the connection mid-message fails the send rather than hanging it.
 */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { composeEmail, emailSender } from '../../src/channels/email-message.ts';
import { smtpSender } from '../../src/channels/smtp.ts';
import type { Message } from '../../src/store/store.ts';
import { smtpConfig, smtpServer } from './smtp-server.ts';

const KEYS = { unsubscribe: Buffer.alloc(32, 3), tracking: Buffer.alloc(32, 5) };
const NOW = Date.UTC(2026, 11, 5, 6, 30, 0);

function email(id: string, to: string, content: { subject?: string; body?: string } = {}): Message {
  return {
    seq: 1, id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'mail', userId: 'ana', channel: 'email', status: 'pending', reason: null,
    content: { to, subject: content.subject ?? 'Your cart', body: content.body ?? '<p>Hi</p>' },
    createdAt: 0, sentAt: null, attempts: 0, claims: 1, sendingAt: null, nextAttemptAt: null, provider: null, openedAt: null, clickedAt: null,
  };
}

test('non-ASCII, an injected header, long lines and leading dots arrive exactly; the message is 7-bit, its lines short', async () => {
  const { mails, port } = await smtpServer();
  const long = 'word '.repeat(400).trim(); // 1,999 characters on one line
  const html = `<p>Zoë, your 🛒 is waiting — 50% off = today</p>\n.a line that starts with a dot\n..and two\n${long}\n<p>trailing spaces   </p>`;
  const subject = 'Zoë, your 🛒 is waiting — 50% off\r\nBcc: thief@evil.test';
  const sender = smtpSender(smtpConfig(port, { from: 'Zoë Shop <news@shop.test>', replyTo: '"Help, desk" <help@shop.test>', tracking: false }), KEYS);
  const [outcome] = await sender.send([email('cart:u1:mail:1', 'Ana Lima <ana@bücher.example>', { subject, body: html })], () => NOW);
  assert.equal(outcome!.status, 'sent', outcome!.error);
  assert.equal(mails.length, 1);
  const raw = mails[0]!.raw;
  assert.ok(/^[\x00-\x7f]*$/.test(raw), 'every byte 7-bit');
  const lines = raw.split('\r\n');
  assert.ok(lines.every((line) => line.length <= 998), 'no line over 998 characters (RFC 5322)');
  // Only List-Unsubscribe's URL (one token, the unsubscribe link) cannot be folded; every other line is short.
  assert.deepEqual(lines.filter((line) => line.length > 78).map((line) => line.slice(0, 43)), [' <https://waymark.shop.test/v1/unsubscribe/']);
  assert.deepEqual(mails[0]!.to, ['ana@bücher.example'], 'RCPT TO, as the server reads it (it shows IDN domains in Unicode)');
  assert.equal(composeEmail(emailSender('news@shop.test'), { to: 'Ana Lima <ana@bücher.example>', subject: '', html: '', text: '', messageId: '<x@y>', date: new Date(NOW), headers: {} }).to, 'ana@xn--bcher-kva.example', 'what goes in RCPT TO: the domain in ASCII');
  assert.equal(mails[0]!.from, 'news@shop.test', 'MAIL FROM: the From address');

  const mail = await simpleParser(raw);
  assert.equal(mail.subject, 'Zoë, your 🛒 is waiting — 50% off Bcc: thief@evil.test', 'the line break is a space: no header of its own');
  assert.equal(mail.headers.has('bcc'), false);
  assert.deepEqual(mail.from?.value, [{ name: 'Zoë Shop', address: 'news@shop.test' }]);
  assert.match(raw, /^To: Ana Lima <ana@xn--bcher-kva\.example>\r$/m, 'the header in ASCII too');
  assert.deepEqual((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.value, [{ name: 'Ana Lima', address: 'ana@bücher.example' }], 'which a reader shows in Unicode');
  assert.deepEqual(mail.replyTo?.value, [{ name: 'Help, desk', address: 'help@shop.test' }]);
  assert.equal(mail.messageId, '<Y2FydDp1MTptYWlsOjE@shop.test>');
  assert.equal(mail.date?.getTime(), NOW);
  assert.equal(mail.html, html, 'the HTML as rendered');
  assert.equal(mail.text, `Zoë, your 🛒 is waiting — 50% off = today\n\n.a line that starts with a dot\n..and two\n${long}\ntrailing spaces`);
  assert.match(mail.headerLines.find((h) => h.key === 'list-unsubscribe')!.line, /^List-Unsubscribe:\r\n <https:\/\/waymark\.shop\.test\/v1\/unsubscribe\/[A-Za-z0-9_.-]+>$/);
});

test('control characters in a subject (NUL, DEL) are encoded, never written raw into the header, and arrive as written', async () => {
  const { mails, port } = await smtpServer();
  const [outcome] = await smtpSender(smtpConfig(port, { tracking: false }), KEYS).send([email('m1', 'ana@x.test', { subject: 'Hi\u0000there\u0001\u007f end' })], () => NOW);
  assert.equal(outcome!.status, 'sent', outcome!.error);
  const head = mails[0]!.raw.slice(0, mails[0]!.raw.indexOf('\r\n\r\n'));
  assert.ok(!/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(head), 'no control character in the headers');
  assert.equal((await simpleParser(mails[0]!.raw)).subject, 'Hi\u0000there\u0001\u007f end');
});

test('a To with no address in it fails for good, with nothing sent', async () => {
  const { mails, connections, port } = await smtpServer();
  const [outcome] = await smtpSender(smtpConfig(port), KEYS).send([email('m1', 'not an address')], () => NOW);
  assert.deepEqual([outcome!.status, outcome!.error], ['failed', 'invalid_address']);
  assert.deepEqual([mails.length, connections.length], [0, 0]);
});

test('messages in a row share one connection, kept after a refused recipient (RSET)', async () => {
  const { mails, connections, port } = await smtpServer({ refuse: ['nobody@x.test'] });
  const sender = smtpSender(smtpConfig(port, { concurrency: 1 }), KEYS);
  after(() => sender.close());
  const outcomes = await sender.send([email('m1', 'ana@x.test'), email('m2', 'nobody@x.test'), email('m3', 'bo@x.test')], () => NOW);
  assert.deepEqual(outcomes.map((o) => [o.id, o.status, o.error?.slice(0, 8) ?? null]), [['m1', 'sent', null], ['m2', 'failed', 'smtp_550'], ['m3', 'sent', null]]);
  assert.equal(connections.length, 1, 'one connection for all three');
  assert.deepEqual(mails.map((m) => [m.to[0], m.connection]), [['ana@x.test', connections[0]], ['bo@x.test', connections[0]]]);
});

test('a server that drops the connection in the middle of a message: the send fails (transient) instead of waiting forever', { timeout: 30_000 }, async () => {
  // Speaks SMTP up to DATA, then closes the connection once the message starts arriving.
  const sockets = new Set<net.Socket>();
  const dropper = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write('220 dropper ESMTP\r\n');
    let inData = false;
    socket.on('data', (chunk: Buffer) => {
      if (inData) return void socket.destroy();
      for (const line of chunk.toString('latin1').split('\r\n').filter(Boolean)) {
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') socket.write('250-dropper\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => dropper.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const s of sockets) s.destroy();
    dropper.close();
  });
  const sender = smtpSender(smtpConfig((dropper.address() as AddressInfo).port, { timeoutMs: 60_000 }), KEYS);
  after(() => sender.close());
  const [outcome] = await sender.send([email('m1', 'ana@x.test')], () => NOW);
  assert.equal(outcome!.status, 'transient');
  assert.match(outcome!.error!, /^smtp_ECONNECTION/);
});
