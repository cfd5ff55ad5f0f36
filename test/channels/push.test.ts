/**
 * The push sender against local FCM, APNs (HTTP/2 cleartext) and Web Push services that check what the real
 * ones check (push-fakes.ts): routing by token, the FCM access token cached and fetched again (expiry, 401),
 * one APNs connection reused (and a new one after GOAWAY), the provider token renewed after 50 minutes, a
 * deterministic apns-id, Web Push's VAPID and encrypted payload; one collapse key per message on every route
 * (FCM's tags and apns-collapse-id, APNs's apns-collapse-id, Web Push's Topic and payload tag); 429 (Retry-After) and 503 transient; dead
 * tokens permanent as invalid_token with the token named; a route without settings fails saying so.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import http2 from 'node:http2';
import { test } from 'node:test';
import webpush from 'web-push';
import { apnsIdOf } from '../../src/channels/apns.ts';
import { signJwt } from '../../src/channels/jwt.ts';
import { pushSender, routeOf } from '../../src/channels/push.ts';
import type { Message } from '../../src/store/store.ts';
import { apnsFake, collapse, fcmFake, vapidKeys, webPushFake } from './push-fakes.ts';

const NOW = 1_700_000_000_000;
const MIN = 60_000;
const HEX = 'a1'.repeat(32);
/** Worked out apart from node (openssl dgst -sha256 -binary | base64, +/ to -_): the derivation cannot drift. */
const M1 = '_ta-UNbC4Xu52-79uaA6mfRg3ve6JKcE';
const M2 = '8hTMpvRxyqFgURIjrtpWEY28tK-floCH';

function message(id: string, to: string): Message {
  return {
    seq: 1, id, journeyId: 'cart', version: 1, instanceId: 'i1', nodeId: 'nudge', userId: 'u1', channel: 'push', status: 'pending', reason: null,
    content: { title: 'Still there?', body: 'Your cart misses you', to }, createdAt: 0, sentAt: null, attempts: 0, claims: 1, sendingAt: null, nextAttemptAt: null, provider: null, clickedAt: null, openedAt: null,
  };
}

test('tokens are routed by their shape', () => {
  assert.equal(routeOf('{"endpoint":"https://push.example/x","keys":{"p256dh":"a","auth":"b"}}'), 'webpush');
  assert.equal(routeOf(HEX), 'apns');
  assert.equal(routeOf(HEX.toUpperCase()), 'apns');
  assert.equal(routeOf(`${HEX}0`), 'fcm');
  assert.equal(routeOf('fcm-token:APA91bHun4MxP5egoKMwt2KZFBaFUH'), 'fcm');
  assert.equal(routeOf('{"endpoint":1}'), 'fcm');
});

test('FCM: a token from the service account, cached until a minute before it expires, sent with the message', async () => {
  const fcm = await fcmFake({ expiresIn: 3600 });
  const sender = pushSender({ fcm: { serviceAccount: fcm.account, baseUrl: fcm.baseUrl, timeoutMs: 5_000 } });
  let now = NOW;
  const outcomes = await sender.send([message('m1', 'tok-1'), message('m2', 'tok-2')], () => now);
  assert.deepEqual(outcomes.map((o) => [o.id, o.status, o.provider]).sort(), [['m1', 'sent', 'fcm'], ['m2', 'sent', 'fcm']]);
  assert.equal(fcm.tokenRequests.length, 1, 'two sends at once share one token request');
  assert.deepEqual(fcm.tokenRequests[0]!.header.kid, 'k1');
  assert.equal(fcm.tokenRequests[0]!.claims.iat, NOW / 1000);
  const sent = fcm.sends.find((s) => s.body.message.token === 'tok-1')!;
  assert.equal(sent.path, '/v1/projects/shop-app/messages:send');
  assert.deepEqual(sent.body, {
    message: {
      token: 'tok-1', notification: { title: 'Still there?', body: 'Your cart misses you' }, data: { messageId: 'm1', journeyId: 'cart', nodeId: 'nudge' },
      android: { notification: { tag: M1 } }, apns: { headers: { 'apns-collapse-id': M1 } }, webpush: { notification: { tag: M1 } },
    },
  });

  now = NOW + 58 * MIN; // 2 minutes left: still used
  await sender.send([message('m3', 'tok-1')], () => now);
  assert.equal(fcm.tokenRequests.length, 1);
  now = NOW + 59 * MIN + 1; // under a minute left: a new one
  await sender.send([message('m4', 'tok-1')], () => now);
  assert.equal(fcm.tokenRequests.length, 2);
  assert.notEqual(fcm.sends[3]!.bearer, fcm.sends[2]!.bearer);

  fcm.revokeAll(); // FCM answers 401: one new token, and the send goes through
  const [again] = await sender.send([message('m5', 'tok-1')], () => now);
  assert.equal(again!.status, 'sent');
  assert.equal(fcm.tokenRequests.length, 3);
});

test('FCM: 429 with Retry-After and 503 are transient; UNREGISTERED and an invalid token are dead tokens; other 400s final', async () => {
  const fcm = await fcmFake();
  const sender = pushSender({ fcm: { serviceAccount: fcm.account, baseUrl: fcm.baseUrl, timeoutMs: 5_000 } });
  fcm.answers.push(
    fcm.json(429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'quota' } }, { 'retry-after': '7' }),
    fcm.json(503, { error: { code: 503, status: 'UNAVAILABLE', message: 'later' } }),
    fcm.unregistered(),
    fcm.invalidToken(),
    fcm.json(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Message payload too large' } }),
  );
  const send = async (id: string, token: string) => (await sender.send([message(id, token)], () => NOW))[0]!;
  assert.deepEqual(await send('a', 't-a'), { id: 'a', at: NOW, provider: 'fcm', status: 'transient', error: 'fcm_429 RESOURCE_EXHAUSTED: quota', retryAfterMs: 7_000 });
  assert.deepEqual(await send('b', 't-b'), { id: 'b', at: NOW, provider: 'fcm', status: 'transient', error: 'fcm_503 UNAVAILABLE: later' });
  assert.deepEqual(await send('c', 't-c'), { id: 'c', at: NOW, provider: 'fcm', status: 'failed', error: 'invalid_token', deadAddress: 't-c' });
  assert.deepEqual(await send('d', 't-d'), { id: 'd', at: NOW, provider: 'fcm', status: 'failed', error: 'invalid_token', deadAddress: 't-d' });
  assert.deepEqual(await send('e', 't-e'), { id: 'e', at: NOW, provider: 'fcm', status: 'failed', error: 'fcm_400 INVALID_ARGUMENT: Message payload too large' });
});

test('FCM: a token endpoint that refuses the service account is a transient failure naming why', async () => {
  const fcm = await fcmFake();
  const other = await fcmFake(); // its key does not match the first one's public key
  const sender = pushSender({ fcm: { serviceAccount: { ...other.account, token_uri: fcm.account.token_uri, client_email: fcm.account.client_email }, baseUrl: fcm.baseUrl, timeoutMs: 5_000 } });
  const [outcome] = await sender.send([message('m1', 'tok')], () => NOW);
  assert.deepEqual([outcome!.status, outcome!.error], ['transient', 'fcm_auth: token endpoint answered 400: invalid_grant: bad signature']);
  assert.equal(fcm.sends.length, 0);
});

test('APNs: one HTTP/2 connection for many sends, a provider token renewed after 50 minutes, the same apns-id on a retry', async () => {
  const apns = await apnsFake();
  const sender = pushSender({ apns: { teamId: apns.teamId, keyId: apns.keyId, key: apns.key, bundleId: apns.bundleId, production: false, baseUrl: apns.baseUrl, timeoutMs: 5_000 } });
  let now = NOW;
  const tokens = ['b2'.repeat(32), 'c3'.repeat(32), HEX];
  const outcomes = await sender.send(tokens.map((t, i) => message(`m${i}`, t)), () => now);
  assert.deepEqual(outcomes.map((o) => o.status), ['sent', 'sent', 'sent']);
  assert.equal(apns.connections(), 1);
  const first = apns.requests.find((r) => r.path === `/3/device/${HEX}`)!;
  assert.deepEqual(first.body, { aps: { alert: { title: 'Still there?', body: 'Your cart misses you' } } });
  assert.deepEqual([first.headers['apns-topic'], first.headers['apns-push-type'], first.headers['apns-priority']], ['com.shop.app', 'alert', '10']);
  assert.equal(first.headers['apns-id'], apnsIdOf('m2'));
  assert.equal(first.iat, NOW / 1000);

  apns.answers.push({ status: 503, body: 'ServiceUnavailable' });
  const [busy] = await sender.send([message('retry-me', HEX)], () => now);
  assert.deepEqual([busy!.status, busy!.error], ['transient', 'apns_503: ServiceUnavailable']);
  now = NOW + 49 * MIN;
  const [retried] = await sender.send([message('retry-me', HEX)], () => now);
  assert.equal(retried!.status, 'sent');
  const [a, b] = apns.requests.slice(-2);
  assert.equal(a!.headers['apns-id'], b!.headers['apns-id'], 'a retry carries the same apns-id');
  assert.equal(b!.iat, NOW / 1000, 'the provider token of 49 minutes ago is still used');
  now = NOW + 50 * MIN;
  await sender.send([message('m9', HEX)], () => now);
  assert.equal(apns.requests.at(-1)!.iat, now / 1000, 'renewed at 50 minutes');
  assert.equal(apns.connections(), 1, 'still the one connection');

  apns.goAway(); // the next request may go before the client reads the GOAWAY: refused, it goes again on a new connection
  const [afterGoaway] = await sender.send([message('m10', HEX)], () => now);
  assert.equal(afterGoaway!.status, "sent", afterGoaway!.error);
  assert.equal(apns.connections(), 2, 'a new connection after GOAWAY');
  sender.close();
});

test('APNs: 429 with Retry-After is transient; 410 and BadDeviceToken are dead tokens; the apns-id is a UUID of the message id', async () => {
  const apns = await apnsFake();
  const sender = pushSender({ apns: { teamId: apns.teamId, keyId: apns.keyId, key: apns.key, bundleId: apns.bundleId, production: true, baseUrl: apns.baseUrl, timeoutMs: 5_000 } });
  apns.answers.push({ status: 429, body: 'TooManyRequests', headers: { 'retry-after': '30' } }, { status: 410, body: 'Unregistered' }, { status: 400, body: 'BadDeviceToken' }, { status: 400, body: 'PayloadEmpty' });
  const send = async (id: string) => (await sender.send([message(id, HEX)], () => NOW))[0]!;
  assert.deepEqual(await send('a'), { id: 'a', at: NOW, provider: 'apns', status: 'transient', error: 'apns_429: TooManyRequests', retryAfterMs: 30_000 });
  assert.deepEqual(await send('b'), { id: 'b', at: NOW, provider: 'apns', status: 'failed', error: 'invalid_token', deadAddress: HEX });
  assert.deepEqual(await send('c'), { id: 'c', at: NOW, provider: 'apns', status: 'failed', error: 'invalid_token', deadAddress: HEX });
  assert.deepEqual(await send('d'), { id: 'd', at: NOW, provider: 'apns', status: 'failed', error: 'apns_400: PayloadEmpty' });
  sender.close();
  // Name-based, version 5 layout: hand-checked fields, and stable.
  assert.match(apnsIdOf('x'), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(apnsIdOf('x'), apnsIdOf('x'));
  assert.notEqual(apnsIdOf('x'), apnsIdOf('y'));
});

test('Web Push: VAPID-signed, the payload encrypted for the subscription; 429 and 503 transient; 404 and 410 dead', async () => {
  const vapid = vapidKeys();
  const service = await webPushFake(vapid.publicKey);
  const sender = pushSender({ webpush: { ...vapid, subject: 'mailto:ops@shop.test', ttlSeconds: 600, timeoutMs: 5_000, allowHosts: ['127.0.0.1'] } });
  const ana = service.subscribe('ana');
  const [sent] = await sender.send([message('m1', ana)], () => NOW);
  assert.deepEqual(sent, { id: 'm1', at: NOW, provider: 'webpush', status: 'sent' });
  assert.deepEqual(service.received[0]!.payload, { title: 'Still there?', body: 'Your cart misses you', messageId: 'm1', tag: M1 });
  assert.equal(service.received[0]!.headers.topic, M1);
  assert.equal(service.received[0]!.headers.ttl, '600');
  assert.equal(service.received[0]!.aud, service.origin);

  service.answers.push({ status: 429, headers: { 'retry-after': '12' } }, { status: 503 }, { status: 410 }, { status: 404 });
  const send = async (id: string) => (await sender.send([message(id, ana)], () => NOW))[0]!;
  assert.deepEqual([(await send('a')).status, (await send('a')).status], ['transient', 'transient']);
  assert.deepEqual(await send('b'), { id: 'b', at: NOW, provider: 'webpush', status: 'failed', error: 'invalid_token', deadAddress: ana });
  assert.deepEqual(await send('c'), { id: 'c', at: NOW, provider: 'webpush', status: 'failed', error: 'invalid_token', deadAddress: ana });
});

test('Web Push: the 429 Retry-After is passed on; an endpoint on a private address is refused unless allowed', async () => {
  const vapid = vapidKeys();
  const service = await webPushFake(vapid.publicKey);
  const ana = service.subscribe('ana');
  const allowed = pushSender({ webpush: { ...vapid, subject: 'https://shop.test/contact', ttlSeconds: 60, timeoutMs: 5_000, allowHosts: ['127.0.0.1'] } });
  service.answers.push({ status: 429, headers: { 'retry-after': '12' } });
  const [limited] = await allowed.send([message('m1', ana)], () => NOW);
  assert.deepEqual([limited!.status, limited!.retryAfterMs], ['transient', 12_000]);
  const guarded = pushSender({ webpush: { ...vapid, subject: 'https://shop.test/contact', ttlSeconds: 60, timeoutMs: 5_000, allowHosts: [] } });
  const [refused] = await guarded.send([message('m2', ana)], () => NOW);
  assert.equal(refused!.status, 'failed', 'plain http to loopback: not a push service');
  assert.equal(service.received.length, 1);
});

test('the collapse key: worked out by hand, 32 characters of base64url, one per message', () => {
  assert.deepEqual([collapse('m1'), collapse('m2')], [M1, M2]);
  for (const id of ['m1', 'order:o-1001:thanks:1', 'é'.repeat(500)]) assert.match(collapse(id), /^[A-Za-z0-9_-]{32}$/);
});

test('a push sent twice carries the same collapse key on each route, so the second copy replaces the first', async () => {
  const fcm = await fcmFake();
  const apns = await apnsFake();
  const vapid = vapidKeys();
  const service = await webPushFake(vapid.publicKey);
  const sender = pushSender({
    fcm: { serviceAccount: fcm.account, baseUrl: fcm.baseUrl, timeoutMs: 5_000 },
    apns: { teamId: apns.teamId, keyId: apns.keyId, key: apns.key, bundleId: apns.bundleId, production: false, baseUrl: apns.baseUrl, timeoutMs: 5_000 },
    webpush: { ...vapid, subject: 'mailto:ops@shop.test', ttlSeconds: 600, timeoutMs: 5_000, allowHosts: ['127.0.0.1'] },
  });
  const ana = service.subscribe('ana');
  // The first attempt, the same message again (a re-send after a kill), and another message.
  for (const id of ['m1', 'm1', 'm2']) {
    const outcomes = await sender.send([message(id, 'fcm-tok'), message(id, HEX), message(id, ana)], () => NOW);
    assert.deepEqual(outcomes.map((o) => [o.provider, o.status]).sort(), [['apns', 'sent'], ['fcm', 'sent'], ['webpush', 'sent']]);
  }
  sender.close();
  type Fcm = { android: { notification: { tag: string } }; apns: { headers: Record<string, string> }; webpush: { notification: { tag: string } } };
  const routes: Record<string, string[]> = {
    'FCM android.notification.tag': fcm.sends.map((s) => (s.body.message as unknown as Fcm).android.notification.tag),
    "FCM apns.headers['apns-collapse-id']": fcm.sends.map((s) => (s.body.message as unknown as Fcm).apns.headers['apns-collapse-id']!),
    'FCM webpush.notification.tag': fcm.sends.map((s) => (s.body.message as unknown as Fcm).webpush.notification.tag),
    'APNs apns-collapse-id': apns.requests.map((r) => String(r.headers['apns-collapse-id'])),
    'Web Push Topic': service.received.map((r) => String(r.headers.topic)),
    'Web Push payload tag': service.received.map((r) => String((r.payload as { tag: unknown }).tag)),
  };
  for (const [route, keys] of Object.entries(routes)) {
    assert.deepEqual(keys, [collapse('m1'), collapse('m1'), collapse('m2')], route);
    assert.notEqual(keys[0], keys[2], `${route}: another message, another key`);
    for (const key of keys) assert.ok(Buffer.byteLength(key) <= 64 && /^[A-Za-z0-9_-]{1,32}$/.test(key), `${route}: within APNs's 64 bytes and the Topic's 32 base64url characters`);
  }
});

test("the fakes refuse what the services refuse: APNs a collapse id over 64 bytes, a push service a Topic that is not up to 32 base64url characters", async () => {
  const apns = await apnsFake();
  const jwt = signJwt('ES256', { kid: apns.keyId }, { iss: apns.teamId, iat: Math.floor(Date.now() / 1000) }, createPrivateKey(apns.key));
  const session = http2.connect(apns.baseUrl);
  const post = (collapseId: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = session.request({
        ':method': 'POST', ':path': `/3/device/${HEX}`, authorization: `bearer ${jwt}`, 'apns-topic': apns.bundleId, 'apns-push-type': 'alert',
        'apns-id': apnsIdOf('x'), 'apns-collapse-id': collapseId, 'content-type': 'application/json',
      });
      let status = 0;
      let body = '';
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => resolve({ status, body }));
      req.on('error', reject);
      req.end(JSON.stringify({ aps: { alert: { title: 't', body: 'b' } } }));
    });
  assert.deepEqual(await post('é'.repeat(33)), { status: 400, body: '{"reason":"BadCollapseId"}' }, '66 bytes');
  assert.deepEqual(await post('a'.repeat(65)), { status: 400, body: '{"reason":"BadCollapseId"}' });
  assert.deepEqual(await post('a'.repeat(64)), { status: 200, body: '' });
  session.close();
  assert.equal(apns.requests.length, 1);

  const vapid = vapidKeys();
  const service = await webPushFake(vapid.publicKey);
  const subscription = JSON.parse(service.subscribe('ana')) as { endpoint: string; keys: { p256dh: string; auth: string } };
  const push = async (topic: string) => {
    const details = webpush.generateRequestDetails(subscription, '{"title":"t"}', { vapidDetails: { subject: 'mailto:ops@shop.test', ...vapid }, TTL: 60, topic: 'x' });
    const headers = { ...(details.headers as Record<string, string>), Topic: topic };
    return (await fetch(details.endpoint, { method: 'POST', headers, body: new Uint8Array(details.body as Buffer) })).status;
  };
  assert.equal(await push('a'.repeat(33)), 400);
  assert.equal(await push('a+b/c='), 400, 'outside the URL- and filename-safe alphabet');
  assert.equal(await push('a'.repeat(32)), 201);
  assert.equal(service.received.length, 1);
});

test('a token whose provider is not configured fails for good, saying which', async () => {
  const sender = pushSender({});
  const vapidToken = JSON.stringify({ endpoint: 'https://push.example/x', keys: { p256dh: 'a', auth: 'b' } });
  const outcomes = await sender.send([message('f', 'tok'), message('a', HEX), message('w', vapidToken)], () => NOW);
  assert.deepEqual(
    outcomes.map((o) => [o.id, o.status, o.provider, o.error]),
    [
      ['f', 'failed', 'fcm', 'no_provider: the push token is an FCM token, and the push settings have no fcm'],
      ['a', 'failed', 'apns', 'no_provider: the push token is an APNs device token, and the push settings have no apns'],
      ['w', 'failed', 'webpush', 'no_provider: the push token is a Web Push subscription, and the push settings have no webpush'],
    ],
  );
});
