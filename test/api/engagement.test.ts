/**
 * Engagement tracking end to end over real HTTP, a real SMTP server on loopback and both stores, on a
 * virtual clock: the email received has its links rewritten and a pixel; fetching them records the open and
 * the click once, redirects where the link pointed, counts on the node and gives the user events a waiting
 * journey moves on; forged tokens are 404s that record nothing; SMS short links; a push open from the app.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trackSmsLinks } from '../../src/channels/sms-links.ts';
import { pushTrackingData, trackingKey } from '../../src/channels/tracking.ts';
import { startDeliveryApi } from './delivery-api.ts';
import { T0, forEachStore, type StoreKind } from '../helpers.ts';
import { parseMail } from '../channels/mail-parse.ts';
import { smtpServer } from '../channels/smtp-server.ts';
import { path } from '../journeys.ts';

const MIN = 60_000;
const HOUR_LATER = 60 * MIN;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
/** Lists compared whatever order the API gives them in. */
const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
const unb64 = (part: string) => Buffer.from(part, 'base64url').toString('utf8');

const BODY =
  '<html><body><p>Hi {{ Profile.name }}</p>' +
  '<a href="https://shop.test/cart?a=1&amp;b=2">cart</a> <a href="mailto:help@shop.test">mail</a> <a href="tel:+100">call</a> <a href="#top">top</a> ' +
  "<a data-waymark-notrack href=\"https://shop.test/terms\">terms</a> <a class='x' href='http://shop.test/sale'>sale</a></body></html>";

const emailJourney = path('order', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Ordered' } },
  { id: 'mail', kind: 'send', channel: 'email', message: { subject: 'Your order', body: BODY } },
  { id: 'wait', kind: 'wait', event: 'Message Clicked', where: [{ property: 'nodeId', op: '=', value: 'mail' }], timeout: '1d' },
  { id: 'thanks', kind: 'send', channel: 'push', message: { title: 'Thanks', body: 'for looking' } },
  { id: 'out', kind: 'exit' },
], { setup: { timezone: 'UTC' }, branches: [{ from: 'wait', to: 'thanks', branch: 'yes' }, { from: 'wait', to: 'out', branch: 'timeout' }] });

const mobileJourney = path('app', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Installed' } },
  { id: 'text', kind: 'send', channel: 'sms', message: { body: 'Welcome! https://shop.test/c?x=1. Again https://shop.test/c?x=1 or http://x.test/y!' } },
  { id: 'note', kind: 'send', channel: 'push', message: { title: 'Hi', body: 'Open me' } },
  { id: 'out', kind: 'exit' },
], { setup: { timezone: 'UTC' } });

async function start(kind: StoreKind) {
  const api = await startDeliveryApi(kind, 'engagement.db');
  const { waymark, url, call } = api;
  /** A GET with no key, as a mail client or a phone makes it: status, Location, Cache-Control and body bytes. */
  const visit = async (p: string) => {
    const response = await fetch(`${url}${p}`, { redirect: 'manual' });
    return { status: response.status, location: response.headers.get('location'), cache: response.headers.get('cache-control'), type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const node = async (journeyId: string, nodeId: string) => {
    const n = (await call('GET', `/v1/journeys/${journeyId}/stats`)).body.nodes.find((x: { nodeId: string }) => x.nodeId === nodeId);
    return { sent: n.sent, opened: n.opened, clicked: n.clicked };
  };
  const events = async (userId: string) =>
    ((await call('GET', `/v1/users/${userId}/events`)).body.events as Array<{ name: string; timestamp: number; properties: Record<string, unknown> }>)
      .filter((e) => e.name.startsWith('Message '))
      .map((e) => [e.name, e.timestamp, e.properties])
      .sort(byJson);
  const messageOf = async (userId: string, nodeId: string) => (await waymark.store.listMessages({ limit: 20, userId })).find((m) => m.nodeId === nodeId)!;
  return { ...api, visit, node, events, messageOf };
}

await forEachStore((kind) => {
  test('email: links rewritten and a pixel; opens and clicks recorded once, counted, redirected, and a waiting journey moves on; forged tokens record nothing', async () => {
    const { waymark, clock, call, visit, node, events, messageOf, url, write, reread } = await start(kind);
    const smtp = await smtpServer();
    assert.equal((await call('PUT', '/v1/providers/email', { provider: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'Shop <news@shop.test>', publicUrl: `${url}/` })).status, 200);
    await reread();
    assert.equal((await call('POST', '/v1/journeys', { id: 'order', definition: emailJourney })).status, 201);
    assert.equal((await call('POST', '/v1/journeys/order/publish')).status, 200);
    for (const [userId, name] of [['ana', 'Ana'], ['bo', 'Bo']]) {
      assert.equal((await call('POST', '/v1/profiles', { userId, traits: { name, email: `${userId}@x.test`, pushToken: `tok-${userId}` } }, write)).status, 200);
    }
    await waymark.engine.ingestNow([
      { messageId: 'o1', userId: 'ana', name: 'Ordered', timestamp: T0, properties: {} },
      { messageId: 'o2', userId: 'bo', name: 'Ordered', timestamp: T0, properties: {} },
    ]);
    await waymark.engine.dispatch();
    assert.equal(smtp.mails.length, 2);
    const mail = (to: string) => parseMail(smtp.mails.find((m) => m.to[0] === to)!.raw);
    const html = mail('ana@x.test').parts.find((p) => p.type === 'text/html')!.text;
    const anaMail = await messageOf('ana', 'mail');
    assert.equal(anaMail.content!.body, BODY.replace('{{ Profile.name }}', 'Ana'), 'the stored message keeps the HTML as rendered');

    // What the recipient got: the http(s) links through Waymark, the others as written, a pixel before </body>.
    const clicks = [...html.matchAll(/\/v1\/t\/c\/([A-Za-z0-9_.-]+)"/g)].map((m) => m[1]!);
    const pixel = /<img src="[^"]*\/v1\/t\/o\/([A-Za-z0-9_.-]+)"/.exec(html)![1]!;
    assert.equal(
      html.replace(/\/v1\/t\/c\/[A-Za-z0-9_.-]+/g, '/v1/t/c/TOKEN').replace(/\/v1\/t\/o\/[A-Za-z0-9_.-]+/, '/v1/t/o/TOKEN'),
      '<html><body><p>Hi Ana</p>' +
        `<a href="${url}/v1/t/c/TOKEN">cart</a> <a href="mailto:help@shop.test">mail</a> <a href="tel:+100">call</a> <a href="#top">top</a> ` +
        `<a href="https://shop.test/terms">terms</a> <a class='x' href="${url}/v1/t/c/TOKEN">sale</a>` +
        `<img src="${url}/v1/t/o/TOKEN" width="1" height="1" alt="" style="border:0;width:1px;height:1px"></body></html>`,
    );
    // Each token names the message (and the link, entities decoded) in its first parts.
    assert.deepEqual(clicks.map((t) => t.split('.').slice(0, 2).map(unb64)), [[anaMail.id, 'https://shop.test/cart?a=1&b=2'], [anaMail.id, 'http://shop.test/sale']]);
    assert.equal(unb64(pixel.split('.')[0]!), anaMail.id);
    const text = mail('ana@x.test').parts.find((p) => p.type === 'text/plain')!.text;
    assert.ok(text.includes('cart (https://shop.test/cart?a=1&b=2)') && !text.includes('/v1/t/'), 'the text part keeps the links as written');
    assert.deepEqual(await node('order', 'mail'), { sent: 2, opened: 0, clicked: 0 });

    // Forged and altered tokens: 404, and nothing recorded.
    const [mac] = clicks[0]!.split('.').slice(2);
    const forgeries = [
      `/v1/t/c/${b64(anaMail.id)}.${b64('https://evil.test/')}.${mac}`, // another URL under the cart link's MAC
      `/v1/t/c/${clicks[0]!.slice(0, -2)}${clicks[0]!.endsWith('AA') ? 'BA' : 'AA'}`, // the MAC altered
      `/v1/t/o/${b64('order:someone-else:mail:1')}.${pixel.split('.')[1]}`, // another message under ana's MAC
      `/v1/t/o/${pixel}.x`,
      `/v1/t/c/${pixel}`, // an open token is no click token
      '/v1/t/o/not-a-token',
    ];
    for (const forged of forgeries) {
      const answer = await visit(forged);
      assert.deepEqual([answer.status, answer.location], [404, null], forged);
    }
    assert.equal((await call('POST', '/v1/t/open', { token: clicks[0] }, null)).status, 404);
    // A HEAD (a link checker) gets the answer's headers and records nothing.
    const head = (p: string) => fetch(`${url}${p}`, { method: 'HEAD', redirect: 'manual' }).then((r) => [r.status, r.headers.get('location')]);
    assert.deepEqual(await head(`/v1/t/c/${clicks[0]}`), [302, 'https://shop.test/cart?a=1&b=2']);
    assert.deepEqual(await head(`/v1/t/o/${pixel}`), [200, null]);
    assert.deepEqual(await node('order', 'mail'), { sent: 2, opened: 0, clicked: 0 });
    assert.deepEqual([(await messageOf('ana', 'mail')).openedAt, (await messageOf('ana', 'mail')).clickedAt], [null, null]);
    assert.deepEqual(await events('ana'), []);

    // The pixel: a GIF, never cached; the first open counts.
    clock.set(T0 + MIN);
    const gif = await visit(`/v1/t/o/${pixel}`);
    // header 6 + screen 7 + two colours 6 + transparency 8 + image 10 + LZW size 1 + one block of 1 (2) + end 1 + trailer 1
    assert.deepEqual([gif.status, gif.type, gif.bytes.subarray(0, 6).toString('latin1'), gif.bytes.length, gif.bytes.at(-1)], [200, 'image/gif', 'GIF89a', 42, 0x3b]);
    assert.match(gif.cache!, /no-store/);
    const opened = { messageId: anaMail.id, journeyId: 'order', nodeId: 'mail', channel: 'email' };
    assert.deepEqual(await events('ana'), [['Message Opened', T0 + MIN, opened]]);
    assert.deepEqual(await node('order', 'mail'), { sent: 2, opened: 1, clicked: 0 });
    clock.set(T0 + 2 * MIN);
    assert.equal((await visit(`/v1/t/o/${pixel}`)).status, 200);
    assert.equal((await messageOf('ana', 'mail')).openedAt, T0 + MIN, 'a second open changes nothing');
    assert.deepEqual(await node('order', 'mail'), { sent: 2, opened: 1, clicked: 0 });
    assert.equal((await call('GET', '/v1/users/ana/journeys')).body.instances[0].nodeId, 'wait', 'an open is no click: ana still waits');

    // The cart link: a redirect to the URL it had; the first click counts and ana's journey moves on.
    clock.set(T0 + 5 * MIN);
    const cart = await visit(`/v1/t/c/${clicks[0]}`);
    assert.deepEqual([cart.status, cart.location, cart.cache], [302, 'https://shop.test/cart?a=1&b=2', 'no-store']);
    assert.deepEqual(await events('ana'), [['Message Clicked', T0 + 5 * MIN, { ...opened, url: 'https://shop.test/cart?a=1&b=2' }], ['Message Opened', T0 + MIN, opened]]);
    assert.deepEqual(await node('order', 'mail'), { sent: 2, opened: 1, clicked: 1 });
    assert.deepEqual([(await messageOf('ana', 'mail')).openedAt, (await messageOf('ana', 'mail')).clickedAt], [T0 + MIN, T0 + 5 * MIN]);
    const thanks = await messageOf('ana', 'thanks');
    assert.deepEqual([thanks.status, thanks.createdAt], ['sent', T0 + 5 * MIN], 'the wait for "Message Clicked" moved on at the click');
    assert.equal(await messageOf('bo', 'thanks'), undefined, 'bo has not clicked');

    // Another link later: redirected, and nothing else changes.
    clock.set(T0 + 6 * MIN);
    assert.deepEqual(await visit(`/v1/t/c/${clicks[1]}`).then((r) => [r.status, r.location]), [302, 'http://shop.test/sale']);
    assert.deepEqual(await node('order', 'mail'), { sent: 2, opened: 1, clicked: 1 });
    assert.equal((await events('ana')).length, 2);

    // Bo clicks without the pixel ever loading: the click is his open too, at the same moment.
    const boHtml = mail('bo@x.test').parts.find((p) => p.type === 'text/html')!.text;
    const boCart = /\/v1\/t\/c\/([A-Za-z0-9_.-]+)"/.exec(boHtml)![1]!;
    clock.set(T0 + 7 * MIN);
    assert.equal((await visit(`/v1/t/c/${boCart}`)).status, 302);
    const boOpened = { ...opened, messageId: (await messageOf('bo', 'mail')).id };
    assert.deepEqual(await events('bo'), [['Message Clicked', T0 + 7 * MIN, { ...boOpened, url: 'https://shop.test/cart?a=1&b=2' }], ['Message Opened', T0 + 7 * MIN, boOpened]]);
    assert.deepEqual(await node('order', 'mail'), { sent: 2, opened: 2, clicked: 2 });
    assert.equal((await messageOf('bo', 'thanks')).status, 'sent');

    // The 1,000th open of ana's email changes nothing: 997 more after the three above (two pixels, one click).
    clock.set(T0 + HOUR_LATER);
    for (let round = 0; round < 997; round += 50) {
      const answers = await Promise.all(Array.from({ length: Math.min(50, 997 - round) }, () => visit(`/v1/t/o/${pixel}`)));
      assert.ok(answers.every((a) => a.status === 200));
    }
    assert.deepEqual(await node('order', 'mail'), { sent: 2, opened: 2, clicked: 2 });
    assert.deepEqual([(await messageOf('ana', 'mail')).openedAt, (await messageOf('ana', 'mail')).clickedAt], [T0 + MIN, T0 + 5 * MIN]);
    assert.equal((await events('ana')).length, 2);
  });

  test('SMS short links and push opens: one row per link, a redirect that records the click, the app reporting an open', async () => {
    const { waymark, call, visit, node, events, messageOf, url, write } = await start(kind);
    assert.equal((await call('POST', '/v1/journeys', { id: 'app', definition: mobileJourney })).status, 201);
    assert.equal((await call('POST', '/v1/journeys/app/publish')).status, 200);
    assert.equal((await call('POST', '/v1/profiles', { userId: 'cy', traits: { phone: '+15550100', pushToken: 'tok-cy' } }, write)).status, 200);
    await waymark.engine.ingestNow([{ messageId: 'i1', userId: 'cy', name: 'Installed', timestamp: T0, properties: {} }]);
    const sms = await messageOf('cy', 'text');
    const push = await messageOf('cy', 'note');
    const key = await trackingKey(waymark.store, T0);

    // Each URL becomes a 12-character code (72 bits); the same URL the same code; punctuation stays outside.
    const text = await trackSmsLinks(waymark.store, key, sms.content!.body, sms.id, `${url}/`, T0);
    const shape = new RegExp(`^Welcome! ${url}/s/([A-Za-z0-9_-]{12})\\. Again ${url}/s/([A-Za-z0-9_-]{12}) or ${url}/s/([A-Za-z0-9_-]{12})!$`);
    const [, first, again, other] = shape.exec(text) ?? assert.fail(text);
    assert.equal(first, again);
    assert.notEqual(first, other);
    assert.equal(await trackSmsLinks(waymark.store, key, sms.content!.body, sms.id, url, T0 + 1), text, 'a retried send makes the same links');
    assert.equal(await trackSmsLinks(waymark.store, key, 'No link here.', sms.id, url, T0), 'No link here.');

    assert.deepEqual(await visit('/s/AAAAAAAAAAAA').then((r) => r.status), 404);
    assert.deepEqual(await visit(`/s/${first}`).then((r) => [r.status, r.location]), [302, 'https://shop.test/c?x=1']);
    assert.deepEqual(await visit(`/s/${other}`).then((r) => [r.status, r.location]), [302, 'http://x.test/y']);
    assert.deepEqual(await node('app', 'text'), { sent: 1, opened: 1, clicked: 1 });
    assert.equal((await messageOf('cy', 'text')).clickedAt, T0);

    // A push: its data carries the open token; the app posts it back (no key: the token is the credential).
    const data = pushTrackingData(key, push.id);
    assert.deepEqual(Object.keys(data), ['waymarkOpenToken']);
    assert.equal((await call('POST', '/v1/t/open', { token: `${data.waymarkOpenToken}x` }, null)).status, 404);
    assert.equal((await call('POST', '/v1/t/open', {}, null)).status, 400);
    assert.deepEqual(await node('app', 'note'), { sent: 1, opened: 0, clicked: 0 });
    assert.deepEqual((await call('POST', '/v1/t/open', { token: data.waymarkOpenToken }, null)).body, { ok: true });
    assert.deepEqual((await call('POST', '/v1/t/open', { token: data.waymarkOpenToken }, null)).body, { ok: true });
    assert.deepEqual(await node('app', 'note'), { sent: 1, opened: 1, clicked: 0 });
    const base = { journeyId: 'app', channel: 'push', nodeId: 'note', messageId: push.id };
    const smsBase = { journeyId: 'app', channel: 'sms', nodeId: 'text', messageId: sms.id };
    assert.deepEqual(
      (await events('cy')).map(([name, , properties]) => [name, properties]).sort(byJson),
      [['Message Clicked', { ...smsBase, url: 'https://shop.test/c?x=1' }], ['Message Opened', smsBase], ['Message Opened', base]].sort(byJson),
    );
  });
});
