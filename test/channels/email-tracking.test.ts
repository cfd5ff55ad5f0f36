/**
 * Tracking tokens and the rewriting of an email's HTML: tokens read back what they signed and nothing else
 * (another key, another message or URL, any altered character); which links are rewritten and which are left
 * as written; and an email sent over SMTP to a real server on loopback with tracking on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_TOKEN_LENGTH, trackEmailHtml } from '../../src/channels/email-tracking.ts';
import { shortCode } from '../../src/channels/sms-links.ts';
import { smtpSender } from '../../src/channels/smtp.ts';
import { clickToken, openToken, pushTrackingData, readClickToken, readOpenToken } from '../../src/channels/tracking.ts';
import type { Message } from '../../src/store/store.ts';
import { parseMail } from './mail-parse.ts';
import { smtpConfig, smtpServer } from './smtp-server.ts';

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 8);
const BASE = 'https://waymark.shop.test';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

test('tokens: compact, URL-safe, read back with their key only; any change to any part is refused', () => {
  const open = openToken(KEY, 'cart:e1:mail:1');
  // base64url("cart:e1:mail:1") is Y2FydDplMTptYWlsOjE (14 bytes, 19 characters); a 128-bit MAC is 22 characters.
  assert.match(open, /^Y2FydDplMTptYWlsOjE\.[A-Za-z0-9_-]{22}$/);
  assert.deepEqual(readOpenToken(KEY, open), { messageId: 'cart:e1:mail:1' });
  assert.equal(readOpenToken(OTHER_KEY, open), null);
  assert.equal(openToken(KEY, 'cart:e1:mail:1'), open, 'the same message, the same token');

  const click = clickToken(KEY, 'cart:e1:mail:1', 'https://shop.test/a?b=1&c=2');
  assert.equal(click.split('.')[1], b64('https://shop.test/a?b=1&c=2'));
  assert.deepEqual(readClickToken(KEY, click), { messageId: 'cart:e1:mail:1', url: 'https://shop.test/a?b=1&c=2' });
  assert.equal(readClickToken(OTHER_KEY, click), null);

  const [id, url, mac] = click.split('.') as [string, string, string];
  const refused = [
    `${b64('cart:e2:mail:1')}.${url}.${mac}`, // another message
    `${id}.${b64('https://evil.test/')}.${mac}`, // another URL: no open redirect
    `${id}.${url}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`, // its last character (2 bits of MAC, 4 spare)
    `${id}.${url}.${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`, // its first
    `${id}.${url}.${mac.slice(0, -1)}`, // a MAC cut short
    `${id}.${url}.${mac}A`, // a MAC too long
    `${id}.${url}`,
    `${id}.${url}.${mac}.x`,
    `${id}.${url}.${mac}=`, // not base64url
    '',
    '..',
  ];
  for (const token of refused) assert.equal(readClickToken(KEY, token), null, token);
  assert.equal(readClickToken(KEY, open), null, 'an open token is no click token');
  assert.equal(readOpenToken(KEY, click), null, 'nor the other way round');
  assert.equal(readOpenToken(KEY, `${b64('cart:e2:mail:1')}.${open.split('.')[1]}`), null);

  assert.deepEqual(pushTrackingData(KEY, 'cart:e1:push:1'), { waymarkOpenToken: openToken(KEY, 'cart:e1:push:1') });
  // 9 bytes of MAC are 12 base64url characters; another message or URL, another code.
  const code = shortCode(KEY, 'm1', 'https://shop.test/a');
  assert.match(code, /^[A-Za-z0-9_-]{12}$/);
  assert.notEqual(shortCode(KEY, 'm2', 'https://shop.test/a'), code);
  assert.notEqual(shortCode(KEY, 'm1', 'https://shop.test/b'), code);
  assert.notEqual(shortCode(OTHER_KEY, 'm1', 'https://shop.test/a'), code);
});

/** The HTML with every token replaced by T, and the URLs the click tokens sign, in order. */
function shape(html: string): { html: string; urls: string[] } {
  const urls = [...html.matchAll(/\/v1\/t\/c\/([A-Za-z0-9_.-]+)/g)].map((m) => readClickToken(KEY, m[1]!)?.url ?? 'UNREADABLE');
  return { html: html.replace(/\/v1\/t\/([oc])\/[A-Za-z0-9_.-]+/g, '/v1/t/$1/T'), urls };
}

test('rewriting: http(s) links through Waymark, quoted or not, entities decoded; others as written; a pixel before </body>', () => {
  const html =
    '<body><A HREF="https://shop.test/x?a=1&amp;b=2" class="c">x</A>' +
    "<a title='t' href='http://shop.test/y'>y</a><a href=https://shop.test/z>z</a>" +
    '<a href="mailto:a@b.test">m</a><a href="tel:+1">t</a><a href="#top">#</a><a href="/relative">r</a><a name="anchor">n</a>' +
    `<a href="${BASE}/v1/unsubscribe/abc">unsubscribe</a>` +
    '<a data-waymark-notrack href="https://shop.test/private">p</a><a href="https://shop.test/q" data-waymark-notrack="true">q</a>' +
    '<!-- <a href="https://shop.test/commented">c</a> --><abbr title="https://shop.test">abbr</abbr>' +
    '<area href="https://shop.test/map" alt="m"></body>';
  const { html: out, urls } = shape(trackEmailHtml(html, 'm1', `${BASE}/`, KEY));
  assert.equal(
    out,
    `<body><A HREF="${BASE}/v1/t/c/T" class="c">x</A>` +
      `<a title='t' href="${BASE}/v1/t/c/T">y</a><a href="${BASE}/v1/t/c/T">z</a>` +
      '<a href="mailto:a@b.test">m</a><a href="tel:+1">t</a><a href="#top">#</a><a href="/relative">r</a><a name="anchor">n</a>' +
      `<a href="${BASE}/v1/unsubscribe/abc">unsubscribe</a>` +
      '<a href="https://shop.test/private">p</a><a href="https://shop.test/q">q</a>' +
      '<!-- <a href="https://shop.test/commented">c</a> --><abbr title="https://shop.test">abbr</abbr>' +
      `<area href="${BASE}/v1/t/c/T" alt="m">` +
      `<img src="${BASE}/v1/t/o/T" width="1" height="1" alt="" style="border:0;width:1px;height:1px"></body>`,
  );
  assert.deepEqual(urls, ['https://shop.test/x?a=1&b=2', 'http://shop.test/y', 'https://shop.test/z', 'https://shop.test/map']);
  const pixel = /\/v1\/t\/o\/([A-Za-z0-9_.-]+)/.exec(trackEmailHtml(html, 'm1', BASE, KEY))![1]!;
  assert.deepEqual(readOpenToken(KEY, pixel), { messageId: 'm1' });
});

test('rewriting: no </body>, the pixel goes last; a link too long for a token stays as written', () => {
  assert.equal(shape(trackEmailHtml('<p>hi</p>', 'm1', BASE, KEY)).html, `<p>hi</p><img src="${BASE}/v1/t/o/T" width="1" height="1" alt="" style="border:0;width:1px;height:1px">`);
  // The token holds the URL in base64url (4 characters per 3 bytes): 800 characters of URL make more than 1,000.
  const long = `https://shop.test/${'a'.repeat(800)}`;
  assert.ok(clickToken(KEY, 'm1', long).length > MAX_TOKEN_LENGTH);
  const out = trackEmailHtml(`<a href="${long}">x</a><a href="https://shop.test/short">y</a>`, 'm1', BASE, KEY);
  assert.deepEqual(shape(out).urls, ['https://shop.test/short']);
  assert.ok(out.startsWith(`<a href="${long}">x</a>`));
});

function email(id: string, body: string): Message {
  return {
    seq: 1, id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'mail', userId: 'ana', channel: 'email', status: 'pending', reason: null,
    content: { to: 'ana@x.test', subject: 'Your cart', body }, createdAt: 0, sentAt: null, attempts: 0, claims: 1, sendingAt: null, nextAttemptAt: null, provider: null, openedAt: null, clickedAt: null,
  };
}

test('over SMTP: the HTML part tracked, the text part as written; without a public URL or with tracking off, nothing tracked', async () => {
  const { mails, port } = await smtpServer();
  const keys = { unsubscribe: Buffer.alloc(32, 3), tracking: KEY };
  const body = '<p>Your cart: <a href="https://shop.test/cart">back to it</a>.</p>';
  await smtpSender(smtpConfig(port), keys).send([email('m1', body)], () => 1);
  await smtpSender(smtpConfig(port, { publicUrl: undefined }), keys).send([email('m2', body)], () => 1);
  await smtpSender(smtpConfig(port, { tracking: false }), keys).send([email('m3', body)], () => 1);
  const part = (i: number, type: string) => parseMail(mails[i]!.raw).parts.find((p) => p.type === type)!.text.replace(/\r\n/g, '\n');
  // smtpConfig's public URL is https://waymark.shop.test/ (the trailing slash dropped).
  assert.equal(
    shape(part(0, 'text/html')).html,
    `<p>Your cart: <a href="${BASE}/v1/t/c/T">back to it</a>.</p><img src="${BASE}/v1/t/o/T" width="1" height="1" alt="" style="border:0;width:1px;height:1px">`,
  );
  assert.deepEqual(shape(part(0, 'text/html')).urls, ['https://shop.test/cart']);
  assert.equal(part(0, 'text/plain'), 'Your cart: back to it (https://shop.test/cart).');
  assert.equal(part(1, 'text/html'), body);
  assert.equal(part(2, 'text/html'), body);
});
