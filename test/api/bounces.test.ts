/**
 * Bounces that come back as mail, end to end over HTTP, on both stores and a virtual clock: an email goes
 * through the SMTP sender to a real SMTP server on loopback; its real Message-ID is put into delivery status
 * notifications written out below as Postfix and Gmail send them, posted raw to POST /v1/bounces. 5.1.1 bounces
 * the message and keeps the address (the next email is skipped as bounced; a split reads the send as failed;
 * the node counts it failed, not sent); 5.2.2 bounces the message only; delayed 4.4.1 changes nothing; a
 * repeat answers the same and changes nothing more. Bad input is a 4xx naming the problem and changes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { T0, driveUntil, forEachStore, type StoreKind } from '../helpers.ts';
import { path } from '../journeys.ts';
import { parseMail } from '../channels/mail-parse.ts';
import { smtpServer } from '../channels/smtp-server.ts';
import { startDeliveryApi } from './delivery-api.ts';

const HOUR = 3_600_000;

/** An order's thanks, a review request an hour later, then a split on whether the thanks failed: a note in the inbox if so. */
const journey = path(
  'order',
  [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Ordered' } },
    { id: 'thanks', kind: 'send', channel: 'email', message: { subject: 'Thanks {{ Profile.name }}', body: '<p>Order {{ Event.order }} is on its way.</p>' } },
    { id: 'later', kind: 'delay', duration: '1h' },
    { id: 'review', kind: 'send', channel: 'email', message: { subject: 'How was it?', body: '<p>Tell us.</p>' } },
    { id: 'check', kind: 'split', condition: { type: 'message', node: 'thanks', outcome: 'failed' } },
    { id: 'note', kind: 'send', channel: 'inbox', message: { title: 'Check your email address', body: 'Our email did not reach you.' } },
    { id: 'out', kind: 'exit' },
  ],
  { setup: { timezone: 'UTC' }, branches: [{ from: 'check', to: 'note', branch: 'yes' }, { from: 'check', to: 'out', branch: 'no' }] },
);

/** Mail as a mail server writes it: lines end in CRLF. */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** The header block of a raw message. */
const headersOf = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n') + 2);

/** Postfix's bounce of an address the remote server does not know, returning the whole message (under bounce_size_limit). */
const postfixUserUnknown = (original: string) =>
  crlf(`Return-Path: <>
Received: by mx.shop.test (Postfix) id 4C1A12345; Mon,  2 Nov 2026 15:00:02 +0000 (UTC)
Date: Mon,  2 Nov 2026 15:00:02 +0000 (UTC)
From: MAILER-DAEMON@mx.shop.test (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: news@shop.test
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4C1A12345.1793631602/mx.shop.test"
Content-Transfer-Encoding: 8bit
Message-Id: <20261102150002.4C1A12345@mx.shop.test>

This is a MIME-encapsulated message.

--4C1A12345.1793631602/mx.shop.test
Content-Description: Notification
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

This is the mail system at host mx.shop.test.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

<gone@x.test>: host mx.x.test[192.0.2.25] said: 550 5.1.1 <gone@x.test>:
    Recipient address rejected: User unknown in virtual mailbox table (in reply
    to RCPT TO command)

--4C1A12345.1793631602/mx.shop.test
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.test
X-Postfix-Queue-ID: 4C1A12345
X-Postfix-Sender: rfc822; news@shop.test
Arrival-Date: Mon,  2 Nov 2026 15:00:01 +0000 (UTC)

Final-Recipient: rfc822; gone@x.test
Original-Recipient: rfc822;gone@x.test
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.x.test
Diagnostic-Code: smtp; 550 5.1.1 <gone@x.test>: Recipient address rejected:
    User unknown in virtual mailbox table

--4C1A12345.1793631602/mx.shop.test
Content-Description: Undelivered Message
Content-Type: message/rfc822
Content-Transfer-Encoding: 8bit

`) + original + crlf(`
--4C1A12345.1793631602/mx.shop.test--
`);

/** Gmail's bounce of a full mailbox: an HTML notice, the report (with X-Original-Message-ID), the headers returned. */
const gmailMailboxFull = (headers: string, messageId: string) =>
  crlf(`Delivered-To: news@shop.test
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: news@shop.test
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
References: ${messageId}
In-Reply-To: ${messageId}
X-Failed-Recipients: full@x.test
Message-ID: <6543a1b2.0c2e.4d3f.8e4b@mx.google.com>
Date: Mon, 02 Nov 2026 07:00:03 -0800 (PST)
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000f1e2d3c4b5a69788"; report-type=delivery-status

--000000000000f1e2d3c4b5a69788
Content-Type: multipart/related; boundary="000000000000f1e2d3c4b5a69789"

--000000000000f1e2d3c4b5a69789
Content-Type: multipart/alternative; boundary="000000000000f1e2d3c4b5a6978a"

--000000000000f1e2d3c4b5a6978a
Content-Type: text/plain; charset="UTF-8"


** Message not delivered **

Your message couldn't be delivered to full@x.test because the recipient's inbox is full.

--000000000000f1e2d3c4b5a6978a
Content-Type: text/html; charset="UTF-8"

<html><body><h1>Message not delivered</h1><p>Your message couldn't be delivered to <b>full@x.test</b> because the recipient's inbox is full.</p></body></html>

--000000000000f1e2d3c4b5a6978a--
--000000000000f1e2d3c4b5a69789--
--000000000000f1e2d3c4b5a69788
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; news@shop.test
Arrival-Date: Mon, 02 Nov 2026 07:00:01 -0800 (PST)
X-Original-Message-ID: ${messageId}

Final-Recipient: rfc822; full@x.test
Action: failed
Status: 5.2.2
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2607:f8b0:4864:20::1b, the server
 for the domain x.test.)
Diagnostic-Code: smtp; 552-5.2.2 The recipient's inbox is out of storage space.
 Please direct the recipient to
 552 5.2.2  https://support.google.com/mail/?p=OverQuotaTemp a1si123 - gsmtp
Last-Attempt-Date: Mon, 02 Nov 2026 07:00:02 -0800 (PST)

--000000000000f1e2d3c4b5a69788
Content-Type: text/rfc822-headers

`) + headers + crlf(`
--000000000000f1e2d3c4b5a69788--
`);

/** Postfix's warning that a message is still being retried (delay_warning_time), headers returned. */
const postfixDelayed = (headers: string) =>
  crlf(`From: MAILER-DAEMON@mx.shop.test (Mail Delivery System)
Subject: Delayed Mail (still being retried)
To: news@shop.test
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4D2B3.1793645000/mx.shop.test"

--4D2B3.1793645000/mx.shop.test
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is a delivery status notification, NOT A BOUNCE. The mail system will
continue delivery attempts.

--4D2B3.1793645000/mx.shop.test
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.shop.test
X-Postfix-Queue-ID: 4D2B3
X-Postfix-Sender: rfc822; news@shop.test
Arrival-Date: Mon,  2 Nov 2026 15:00:01 +0000 (UTC)

Final-Recipient: rfc822; slow@x.test
Original-Recipient: rfc822;slow@x.test
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.x.test[192.0.2.25]:25: Connection timed
    out
Will-Retry-Until: Fri,  6 Nov 2026 15:00:01 +0000 (UTC)

--4D2B3.1793645000/mx.shop.test
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

`) + headers + crlf(`
--4D2B3.1793645000/mx.shop.test--
`);

/** A report in the shape of postfixDelayed with its status part and returned headers given. */
const report = (status: string, returned: string | null) =>
  crlf(`From: MAILER-DAEMON@mx.shop.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

It bounced.

--b
Content-Type: message/delivery-status

${status}
${returned === null ? '' : `--b\nContent-Type: text/rfc822-headers\n\n${returned}\n`}--b--
`);

async function start(kind: StoreKind) {
  const api = await startDeliveryApi(kind, 'bounces.db');
  const smtp = await smtpServer();
  const { call, write, waymark, clock } = api;
  assert.equal((await call('POST', '/v1/journeys', { id: 'order', definition: journey })).status, 201);
  assert.equal((await call('POST', '/v1/journeys/order/publish')).status, 200);
  // Bounces go to the return path, a mailbox piped to POST /v1/bounces; recipients see the From.
  assert.equal((await call('PUT', '/v1/providers/email', { provider: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'Shop <news@shop.test>', returnPath: 'bounces@shop.test' })).status, 200);
  await api.reread();
  /** The user orders: the thanks goes out by SMTP; its message, and the mail as the server received it. */
  const order = async (userId: string, email: string) => {
    assert.equal((await call('POST', '/v1/profiles', { userId, traits: { name: userId, email } }, write)).status, 200);
    await waymark.engine.ingestNow([{ messageId: `order-${userId}`, userId, name: 'Ordered', timestamp: T0, properties: { order: 'A1' } }]);
    await waymark.engine.dispatch();
    const thanks = (await waymark.store.listMessages({ limit: 10, userId }))[0]!;
    assert.deepEqual([thanks.nodeId, thanks.status, thanks.provider], ['thanks', 'sent', 'smtp']);
    const mail = smtp.mails.find((m) => m.to.includes(email))!;
    assert.deepEqual([mail.from, parseMail(mail.raw).headers.get('from')], ['bounces@shop.test', 'Shop <news@shop.test>'], 'MAIL FROM is the return path');
    return { thanks, raw: mail.raw, messageId: parseMail(mail.raw).headers.get('message-id')! };
  };
  /** POSTs a raw body to /v1/bounces (the admin key, message/rfc822 unless told). */
  const bounce = async (body: string | Buffer, { type = 'message/rfc822', key = api.admin as string | null } = {}) => {
    const headers: Record<string, string> = { 'content-type': type };
    if (key) headers.authorization = `Bearer ${key}`;
    const response = await fetch(`${api.url}/v1/bounces`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text) };
  };
  const messages = async (userId: string) => (await waymark.store.listMessages({ limit: 10, userId })).map((m) => [m.nodeId, m.status, m.reason]);
  const stats = async () => {
    const nodes = (await call('GET', '/v1/journeys/order/stats')).body.nodes as Array<{ nodeId: string; sent: number; failed: number; skipped: number }>;
    return Object.fromEntries(nodes.filter((n) => ['thanks', 'review'].includes(n.nodeId)).map((n) => [n.nodeId, [n.sent, n.failed, n.skipped]]));
  };
  return { ...api, smtp, order, bounce, messages, stats, afterAnHour: () => driveUntil(waymark, clock, T0 + HOUR) };
}

await forEachStore((kind) => {
  test("Postfix's 5.1.1 bounces the email and keeps the address: the next email is skipped as bounced, the split reads failed; a repeat answers the same", async () => {
    const { order, bounce, messages, stats, afterAnHour, waymark, smtp } = await start(kind);
    const { thanks, raw, messageId } = await order('ana', 'gone@x.test');
    assert.match(messageId, /^<[A-Za-z0-9_-]+@shop\.test>$/);
    assert.deepEqual(await stats(), { thanks: [1, 0, 0], review: [0, 0, 0] });

    const dsn = postfixUserUnknown(raw);
    const first = await bounce(dsn);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const diagnostic = '550 5.1.1 <gone@x.test>: Recipient address rejected: User unknown in virtual mailbox table';
    assert.deepEqual(first.body, {
      messageId: thanks.id,
      status: 'bounced',
      recipients: [{ address: 'gone@x.test', action: 'failed', status: '5.1.1', diagnostic, applied: 'address_bounced' }],
    });
    assert.deepEqual(await messages('ana'), [['thanks', 'bounced', `dsn_5.1.1: ${diagnostic}`]]);
    assert.equal((await waymark.store.getProfile('ana'))!.traits.emailBounced, 'gone@x.test');
    assert.deepEqual(await stats(), { thanks: [0, 1, 0], review: [0, 0, 0] }, 'counted as failed, no longer as sent');

    // The MTA retries its pipe: the same answer, nothing more changed.
    const again = await bounce(dsn, { type: 'text/plain' });
    assert.deepEqual([again.status, again.body], [200, first.body]);
    assert.deepEqual(await stats(), { thanks: [0, 1, 0], review: [0, 0, 0] });

    await afterAnHour();
    assert.deepEqual(await messages('ana'), [
      ['thanks', 'bounced', `dsn_5.1.1: ${diagnostic}`],
      ['review', 'skipped', 'bounced'],
      ['note', 'sent', null],
    ], 'the review is skipped as bounced; the split read the thanks as failed and the note went to the inbox');
    assert.equal(smtp.mails.length, 1, 'nothing more went to the bounced address');
    assert.deepEqual(await stats(), { thanks: [0, 1, 0], review: [0, 0, 1] });
    const log = await waymark.store.messageLog({ order: 'oldest', limit: 10, scanLimit: 100, status: 'bounced' });
    assert.deepEqual(log.messages.map((m) => m.id), [thanks.id]);
  });

  test("Gmail's 5.2.2 (mailbox full) bounces that email only; a delayed 4.4.1 changes nothing", async () => {
    const { order, bounce, messages, stats, afterAnHour, waymark, smtp } = await start(kind);
    const full = await order('bo', 'full@x.test');
    const slow = await order('cy', 'slow@x.test');

    const gmail = await bounce(gmailMailboxFull(headersOf(full.raw), full.messageId));
    assert.equal(gmail.status, 200, JSON.stringify(gmail.body));
    const diagnostic = "552-5.2.2 The recipient's inbox is out of storage space. Please direct the recipient to 552 5.2.2 https://support.google.com/mail/?p=OverQuotaTemp a1si123 - gsmtp";
    assert.deepEqual(gmail.body, {
      messageId: full.thanks.id,
      status: 'bounced',
      recipients: [{ address: 'full@x.test', action: 'failed', status: '5.2.2', diagnostic, applied: 'bounced' }],
    });
    assert.equal((await waymark.store.getProfile('bo'))!.traits.emailBounced, undefined, 'a full mailbox is not a bad address');

    const delayed = await bounce(postfixDelayed(headersOf(slow.raw)));
    assert.equal(delayed.status, 200, JSON.stringify(delayed.body));
    assert.deepEqual(delayed.body, {
      messageId: slow.thanks.id,
      status: 'sent',
      recipients: [{ address: 'slow@x.test', action: 'delayed', status: '4.4.1', diagnostic: 'connect to mx.x.test[192.0.2.25]:25: Connection timed out', applied: 'ignored' }],
    });
    assert.equal((await waymark.store.getProfile('cy'))!.traits.emailBounced, undefined);
    assert.deepEqual(await stats(), { thanks: [1, 1, 0], review: [0, 0, 0] });

    await afterAnHour();
    assert.deepEqual(await messages('bo'), [['thanks', 'bounced', `dsn_5.2.2: ${diagnostic}`], ['review', 'sent', null], ['note', 'sent', null]]);
    assert.deepEqual(await messages('cy'), [['thanks', 'sent', null], ['review', 'sent', null]], 'the split read the delayed thanks as sent');
    assert.deepEqual(smtp.mails.map((m) => m.to[0]).sort(), ['full@x.test', 'full@x.test', 'slow@x.test', 'slow@x.test']);
  });

  test('bad input is a 4xx naming the problem and changes nothing; the admin key only', async () => {
    const { order, bounce, messages, waymark, write, call } = await start(kind);
    const { thanks, raw, messageId } = await order('ana', 'gone@x.test');
    const dsn = postfixUserUnknown(raw);
    const refused = async (body: string | Buffer, status: number, message: RegExp, options?: Parameters<typeof bounce>[1]) => {
      const answer = await bounce(body, options);
      assert.equal(answer.status, status, JSON.stringify(answer.body));
      assert.match(answer.body.message, message);
    };
    const perRecipient = 'Final-Recipient: rfc822; gone@x.test\nAction: failed\nStatus: 5.1.1';

    // Not a DSN: 400.
    await refused(raw, 400, /not a delivery status notification \(RFC 3464\): its Content-Type is multipart\/alternative/);
    await refused(crlf('Subject: hi\n\nhello\n'), 400, /its Content-Type is none, not multipart\/report/);
    await refused(dsn.replace('report-type=delivery-status', 'report-type=disposition-notification'), 400, /report-type=disposition-notification, not multipart\/report; report-type=delivery-status/);
    await refused(dsn.replace('Content-Type: message/delivery-status', 'Content-Type: text/plain'), 400, /no message\/delivery-status part/);
    await refused(report('Reporting-MTA: dns; mx.shop.test\n', headersOf(raw)), 400, /names no recipient/);
    await refused(Buffer.alloc(0), 400, /the body is empty/);
    await refused(JSON.stringify({ raw: dsn }), 415, /send the raw message as Content-Type message\/rfc822 or text\/plain, not "application\/json"/, { type: 'application/json' });

    // No Message-ID Waymark made: 422.
    await refused(report(perRecipient, null), 422, /names no Message-ID/);
    await refused(report(perRecipient, 'From: someone@other.test\nMessage-ID: <20261102150000.4C1A1@mail.other.test>\n'), 422, /is not one Waymark made/);
    await refused(report(perRecipient, 'From: someone@other.test\n'), 422, /names no Message-ID/);
    // Base64url characters, but not as our encoding writes them ("foob" is written Zm9vYg).
    await refused(report(perRecipient, 'Message-ID: <Zm9vYh@other.test>\n'), 422, /is not one Waymark made/);

    // An id that is no email sent here: 404 (an unknown one, and the user's inbox note, which is no email).
    const unknown = `<${Buffer.from('order:nobody:1', 'utf8').toString('base64url')}@shop.test>`;
    await refused(dsn.replaceAll(messageId, unknown), 404, /no email sent by SMTP has the id "order:nobody:1"/);

    // Too large: 413, however it is sent.
    const huge = dsn.replace('This is the mail system', `${'x'.repeat(1024 * 1024)}\r\nThis is the mail system`);
    await refused(huge, 413, /larger than 1048576 bytes/);

    // Hostile MIME: nested thousands of levels deep, a header of 900 KB, binary noise: 400, nothing else.
    let nested = crlf('Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n--r\n');
    for (let i = 0; i < 5_000; i++) nested += `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`;
    await refused(nested + crlf(`Content-Type: message/delivery-status\n\n${perRecipient}\n`), 400, /not a message that can be read as MIME/);
    await refused(`X-Junk: ${'a'.repeat(900_000)}\r\n${dsn}`, 400, /not a message that can be read as MIME/);
    await refused(Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7_919) % 256)), 400, /must not contain the NUL character/);
    await refused(Buffer.from(Array.from({ length: 200_000 }, (_, i) => 1 + ((i * 7_919) % 255))), 400, /not a message that can be read as MIME/);

    // Keys: the admin key only.
    assert.equal((await bounce(dsn, { key: write })).status, 403);
    assert.equal((await bounce(dsn, { key: null })).status, 401);

    // Nothing of the above changed anything; the server still answers, and a real report still applies.
    assert.deepEqual(await messages('ana'), [['thanks', 'sent', null]]);
    assert.equal((await waymark.store.getProfile('ana'))!.traits.emailBounced, undefined);
    // Gmail names the message in the report itself too (X-Original-Message-ID): enough without the returned headers.
    const named = await bounce(report(`Reporting-MTA: dns; googlemail.com\nX-Original-Message-ID: ${messageId}\n\n${perRecipient}`, null));
    assert.deepEqual(named.body.recipients, [{ address: 'gone@x.test', action: 'failed', status: '5.1.1', diagnostic: null, applied: 'address_bounced' }]);
    assert.equal((await call('GET', `/v1/messages?status=bounced`)).body.messages[0].id, thanks.id);
  });
});
