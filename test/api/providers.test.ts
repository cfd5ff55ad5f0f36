/**
 * Delivery end to end over HTTP, on both stores and a virtual clock: with no provider every channel stays
 * on the outbox; providers set through the API (secrets never returned) reach the dispatcher without a
 * restart; an email reaches a real SMTP server with a one-click unsubscribe link whose POST makes the next
 * email skip as unsubscribed; a webhook reaches a real HTTP server, signed; removing a provider goes back
 * to the outbox. Bad settings are 400s naming the field.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { unsubscribeKey, unsubscribeToken } from '../../src/channels/unsubscribe.ts';
import { startDeliveryApi } from './delivery-api.ts';
import { T0, driveUntil, forEachStore, type StoreKind } from '../helpers.ts';
import { path } from '../journeys.ts';
import { parseMail } from '../channels/mail-parse.ts';
import { smtpServer } from '../channels/smtp-server.ts';

const HOUR = 3_600_000;
const KEY = Buffer.alloc(32, 9);
const SECRET = `whsec_${KEY.toString('base64')}`;

const journey = path('order', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Ordered' } },
  { id: 'thanks', kind: 'send', channel: 'email', message: { subject: 'Thanks {{ Profile.name }}', body: '<p>Order {{ Event.order }} is on its way.</p>' } },
  { id: 'hook', kind: 'send', channel: 'webhook', message: { url: 'http://127.0.0.1:1/placeholder', body: '{"order":"{{ Event.order }}"}' } },
  { id: 'later', kind: 'delay', duration: '1h' },
  { id: 'review', kind: 'send', channel: 'email', message: { subject: 'How was it?', body: '<p>Tell us.</p>' } },
  { id: 'out', kind: 'exit' },
], { setup: { timezone: 'UTC' } });

async function start(kind: StoreKind) {
  return startDeliveryApi(kind, 'providers.db');
}

async function hookServer() {
  const got: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];
  const s = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  after(() => {
    s.closeAllConnections();
    s.close();
  });
  return { got, port: (s.address() as AddressInfo).port };
}

await forEachStore((kind) => {
  test('outbox by default; providers set over the API deliver by SMTP and webhook; unsubscribe; back to the outbox', async () => {
    const { waymark, clock, call, write, url, reread } = await start(kind);
    const smtp = await smtpServer();
    const hooks = await hookServer();
    const definition = structuredClone(journey);
    (definition.nodes[2] as { message: { url: string } }).message.url = `http://127.0.0.1:${hooks.port}/orders`;
    assert.equal((await call('POST', '/v1/journeys', { id: 'order', definition })).status, 201);
    assert.equal((await call('POST', '/v1/journeys/order/publish')).status, 200);
    for (const [userId, name] of [['ana', 'Ana'], ['bo', 'Bo']]) {
      assert.equal((await call('POST', '/v1/profiles', { userId, traits: { name, email: `${userId}@x.test` } }, write)).status, 200);
    }

    // No provider: every channel on the outbox, and each message says so.
    const listed = await call('GET', '/v1/providers');
    assert.deepEqual(listed.body.providers.map((p: { channel: string; provider: string }) => [p.channel, p.provider]), [['push', 'outbox'], ['sms', 'outbox'], ['email', 'outbox'], ['whatsapp', 'outbox'], ['inbox', 'outbox'], ['webhook', 'outbox']]);
    await waymark.engine.ingestNow([{ messageId: 'o1', userId: 'ana', name: 'Ordered', timestamp: T0, properties: { order: 'A1' } }]);
    const outboxed = await waymark.store.listMessages({ limit: 10, userId: 'ana' });
    assert.deepEqual(outboxed.map((m) => [m.nodeId, m.status, m.provider]), [['thanks', 'sent', 'outbox'], ['hook', 'sent', 'outbox']]);
    assert.equal(smtp.mails.length + hooks.got.length, 0);

    // Providers set: secrets are kept, never shown.
    const email = { provider: 'smtp', host: '127.0.0.1', port: smtp.port, user: 'mailer', password: 'pw-very-secret', from: 'Shop <news@shop.test>', publicUrl: 'http://waymark.test' };
    const put = await call('PUT', '/v1/providers/email', email);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.settings.password, { set: true });
    assert.equal((await call('PUT', '/v1/providers/webhook', { provider: 'webhook', secret: SECRET, allowHosts: ['127.0.0.1'] })).status, 200);
    const shown = await call('GET', '/v1/providers');
    assert.ok(!shown.text.includes('pw-very-secret') && !shown.text.includes(SECRET), 'no secret in GET /v1/providers');
    assert.deepEqual(shown.body.providers.find((p: { channel: string }) => p.channel === 'webhook').settings, { provider: 'webhook', secret: { set: true }, allowHosts: ['127.0.0.1'] });
    // An update without the password keeps it.
    assert.equal((await call('PUT', '/v1/providers/email', { ...email, password: undefined, replyTo: 'help@shop.test' })).status, 200);
    const kept = (await waymark.store.listProviders()).find((p) => p.channel === 'email')!.config;
    assert.deepEqual([kept.password, kept.replyTo], ['pw-very-secret', 'help@shop.test']);

    // The senders read the settings again (no restart); the next order goes out for real.
    await reread();
    await waymark.engine.ingestNow([{ messageId: 'o2', userId: 'bo', name: 'Ordered', timestamp: T0, properties: { order: 'B2' } }]);
    assert.deepEqual((await waymark.store.listMessages({ limit: 10, userId: 'bo' })).map((m) => m.status), ['pending', 'pending']);
    await waymark.engine.dispatch();
    const sent = await waymark.store.listMessages({ limit: 10, userId: 'bo' });
    assert.deepEqual(sent.map((m) => [m.nodeId, m.status, m.provider, m.attempts, m.reason]), [['thanks', 'sent', 'smtp', 1, null], ['hook', 'sent', 'webhook', 1, null]]);
    assert.deepEqual(smtp.logins, [['mailer', 'pw-very-secret']], 'the password kept through the update logs in');
    assert.equal(smtp.mails.length, 1);
    const mail = parseMail(smtp.mails[0]!.raw);
    assert.deepEqual([mail.headers.get('to'), mail.headers.get('subject'), mail.headers.get('reply-to')], ['bo@x.test', 'Thanks Bo', 'help@shop.test']);
    assert.equal(hooks.got.length, 1);
    const hook = hooks.got[0]!;
    assert.equal(hook.body, '{"order":"B2"}');
    const hookId = sent[1]!.id;
    const ts = String(Math.floor(T0 / 1000));
    assert.deepEqual([hook.headers['webhook-id'], hook.headers['webhook-timestamp']], [hookId, ts]);
    assert.equal(hook.headers['webhook-signature'], `v1,${createHmac('sha256', KEY).update(`${hookId}.${ts}.{"order":"B2"}`).digest('base64')}`);

    // One-click unsubscribe: a forged token is refused; the real one opts Bo out; the next email is skipped.
    const link = /^<http:\/\/waymark\.test(\/v1\/unsubscribe\/[^>]+)>$/.exec(mail.headers.get('list-unsubscribe') ?? '')![1]!;
    const forged = link.replace(/\.[^.]+\./, `.${Buffer.from('ana').toString('base64url')}.`);
    assert.equal((await call('POST', forged, undefined, null)).status, 404);
    const page = await call('GET', link, undefined, null);
    assert.equal(page.status, 200);
    assert.equal((await waymark.store.getProfile('bo'))!.traits.emailOptOut, undefined, 'opening the link unsubscribes nobody');
    const oneClick = await fetch(`${url}${link}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    assert.equal(oneClick.status, 200);
    assert.equal((await waymark.store.getProfile('bo'))!.traits.emailOptOut, true);
    assert.equal((await waymark.store.getProfile('ana'))!.traits.emailOptOut, undefined);
    await driveUntil(waymark, clock, T0 + HOUR);
    const review = (await waymark.store.listMessages({ limit: 10, userId: 'bo' })).find((m) => m.nodeId === 'review')!;
    assert.deepEqual([review.status, review.reason], ['skipped', 'unsubscribed']);
    assert.deepEqual(smtp.mails.map((m) => m.to), [['bo@x.test'], ['ana@x.test']], "only ana's review went out at the hour");

    // Removed: back to the outbox, for messages already queued too.
    assert.equal((await call('DELETE', '/v1/providers/email')).status, 200);
    assert.equal((await call('DELETE', '/v1/providers/email')).status, 404);
    const anaReview = (await waymark.store.listMessages({ limit: 10, userId: 'ana' })).find((m) => m.nodeId === 'review')!;
    assert.deepEqual([anaReview.status, anaReview.provider], ['sent', 'smtp'], "ana's review went by SMTP at the hour");
    await reread();
    assert.equal((await call('POST', '/v1/profiles', { userId: 'cy', traits: { email: 'cy@x.test' } }, write)).status, 200);
    await waymark.engine.ingestNow([{ messageId: 'o3', userId: 'cy', name: 'Ordered', timestamp: T0 + HOUR, properties: { order: 'C3' } }]);
    const cy = await waymark.store.listMessages({ limit: 10, userId: 'cy' });
    assert.deepEqual(cy.map((m) => [m.nodeId, m.status, m.provider]), [['thanks', 'sent', 'outbox'], ['hook', 'pending', null]], 'email on the outbox again; webhooks still delivered');
    assert.equal((await call('GET', '/v1/providers')).body.providers.find((p: { channel: string }) => p.channel === 'email').provider, 'outbox');
    assert.equal(smtp.mails.length, 2);
  });

  test('a hard bounce (550 at RCPT) marks the address: the next email to it is skipped as bounced, a new address is sent to', async () => {
    const { waymark, clock, call, write, reread } = await start(kind);
    const smtp = await smtpServer({ refuse: ['gone@x.test'] });
    const definition = structuredClone(journey);
    definition.nodes = definition.nodes.filter((n) => n.id !== 'hook');
    definition.edges = [
      { from: 'in', to: 'thanks' },
      { from: 'thanks', to: 'later' },
      { from: 'later', to: 'review' },
      { from: 'review', to: 'out' },
    ];
    definition.setup = { ...definition.setup, reentry: 'afterExit' };
    assert.equal((await call('POST', '/v1/journeys', { id: 'order', definition })).status, 201);
    assert.equal((await call('POST', '/v1/journeys/order/publish')).status, 200);
    assert.equal((await call('PUT', '/v1/providers/email', { provider: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'news@shop.test' })).status, 200);
    await reread();
    assert.equal((await call('POST', '/v1/profiles', { userId: 'ana', traits: { name: 'Ana', email: 'gone@x.test' } }, write)).status, 200);
    await waymark.engine.ingestNow([{ messageId: 'o1', userId: 'ana', name: 'Ordered', timestamp: T0, properties: { order: 'A1' } }]);
    await waymark.engine.dispatch();
    const thanks = (await waymark.store.listMessages({ limit: 10, userId: 'ana' }))[0]!;
    assert.deepEqual([thanks.nodeId, thanks.status, thanks.reason?.slice(0, 8)], ['thanks', 'failed', 'smtp_550']);
    assert.equal((await waymark.store.getProfile('ana'))!.traits.emailBounced, 'gone@x.test');
    await driveUntil(waymark, clock, T0 + HOUR);
    const review = (await waymark.store.listMessages({ limit: 10, userId: 'ana' })).find((m) => m.nodeId === 'review')!;
    assert.deepEqual([review.status, review.reason], ['skipped', 'bounced']);
    // A new address is another address: sent to again.
    assert.equal((await call('POST', '/v1/profiles', { userId: 'ana', traits: { email: 'ana@x.test' } }, write)).status, 200);
    await driveUntil(waymark, clock, T0 + 2 * HOUR);
    await waymark.engine.ingestNow([{ messageId: 'o2', userId: 'ana', name: 'Ordered', timestamp: T0 + 2 * HOUR, properties: { order: 'A2' } }]);
    await waymark.engine.dispatch();
    assert.deepEqual(smtp.mails.map((m) => m.to), [['ana@x.test']]);
  });

  test('bad provider settings are 400s naming the field; a channel without providers refuses any', async () => {
    const { call } = await start(kind);
    const smtpBase = { provider: 'smtp', host: 'mail.x.test', port: 587, from: 'news@shop.test' };
    const problem = async (channel: string, body: unknown) => {
      const r = await call('PUT', `/v1/providers/${channel}`, body);
      assert.equal(r.status, 400, r.text);
      return r.body.problems.map((p: { path: string }) => p.path);
    };
    assert.deepEqual(await problem('email', { ...smtpBase, from: 'nobody' }), ['/from']);
    assert.deepEqual(await problem('email', { ...smtpBase, publicUrl: 'ftp://x' }), ['/publicUrl']);
    assert.deepEqual(await problem('email', { ...smtpBase, returnPath: 'Bounces <bounces@shop.test>' }), ['/returnPath'], 'the envelope sender is an address alone');
    for (const returnPath of [`${'b'.repeat(320)}@shop.test`, 'bounces\u0000@shop.test', 42, ['bounces@shop.test'], 'bounces@shop.test\r\nRCPT TO:<x@y.test>']) {
      assert.deepEqual(await problem('email', { ...smtpBase, returnPath }), ['/returnPath'], JSON.stringify(returnPath).slice(0, 40));
    }
    assert.deepEqual(await problem('email', { provider: 'webhook', secret: SECRET }), ['/provider']);
    assert.deepEqual(await problem('webhook', { provider: 'webhook' }), ['/secret']);
    assert.deepEqual(await problem('webhook', { provider: 'webhook', secret: 'whsec_c2hvcnQ=' }), ['/secret']);
    for (const concurrency of [0, 1_001, 2.5]) assert.deepEqual(await problem('webhook', { provider: 'webhook', secret: SECRET, concurrency }), ['/concurrency'], String(concurrency));
    assert.equal((await call('PUT', '/v1/providers/webhook', { provider: 'webhook', secret: SECRET, concurrency: 1_000 })).status, 200);
    // ratePerSecond: a whole number of requests a second, 1 to 100,000, on every provider's settings.
    const twilioBase = { provider: 'twilio', accountSid: `AC${'0'.repeat(32)}`, authToken: 'token', from: '+15005550006' };
    for (const [channel, base] of [['email', smtpBase], ['webhook', { provider: 'webhook', secret: SECRET }], ['sms', twilioBase]] as const) {
      for (const ratePerSecond of [0, 100_001, 2.5, '10']) assert.deepEqual(await problem(channel, { ...base, ratePerSecond }), ['/ratePerSecond'], `${channel} ${ratePerSecond}`);
      const put = await call('PUT', `/v1/providers/${channel}`, { ...base, ratePerSecond: 100_000 });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.body.settings.ratePerSecond, 100_000);
    }
    assert.deepEqual(await problem('sms', { provider: 'webhook', secret: SECRET }), ['/provider']);
    assert.equal((await call('PUT', '/v1/providers/email', { ...smtpBase, port: 0 })).status, 400);
    assert.equal((await call('PUT', '/v1/providers/fax', smtpBase)).status, 400);
    assert.equal((await call('PUT', '/v1/providers/email', smtpBase, null)).status, 401);
    assert.equal((await call('GET', '/v1/providers', undefined, null)).status, 401);
    assert.equal((await call('POST', '/v1/unsubscribe/email.YW5h.nope', undefined, null)).status, 404);
  });

  test('one-click unsubscribe takes the forms mail clients post (RFC 8058): multipart, urlencoded, or none', async () => {
    const { waymark, url } = await start(kind);
    const key = await unsubscribeKey(waymark.store, T0);
    const form = new FormData();
    form.append('List-Unsubscribe', 'One-Click');
    const posts: Array<[string, RequestInit]> = [
      ['ana', { body: form }],
      ['bo', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }],
      ['cy', {}],
    ];
    for (const [userId, init] of posts) {
      const response = await fetch(`${url}/v1/unsubscribe/${unsubscribeToken(key, userId, 'email')}`, { method: 'POST', ...init });
      assert.equal(response.status, 200, `${userId}: ${await response.text()}`);
      assert.equal((await waymark.store.getProfile(userId))!.traits.emailOptOut, true, userId);
    }
  });
});
