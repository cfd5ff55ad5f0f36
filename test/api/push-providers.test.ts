/**
 * Push delivery end to end over HTTP, on both stores and a virtual clock: push settings set through the API
 * (the service account, the .p8 key and the VAPID private key never returned, kept when an update leaves them
 * out); a push goes to FCM, APNs or Web Push by its token; a 429 comes back after its Retry-After; a token FCM
 * reports unregistered is kept as pushTokenInvalid, the next send to it is skipped as invalid_token (the
 * unreachable branch taken), and the new token the app sets is sent to again. Bad settings are 400s naming
 * the field.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { startDeliveryApi } from './delivery-api.ts';
import { T0, forEachStore, type StoreKind } from '../helpers.ts';
import { path } from '../journeys.ts';
import { apnsFake, collapse, fcmFake, vapidKeys, webPushFake } from '../channels/push-fakes.ts';

const APNS_TOKEN = '0f'.repeat(32);

/** On "Carted": a push; users it cannot reach get an email instead. Users may enter again once out. */
const journey = path('nudge', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Carted' } },
  { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi {{ Profile.name }}', body: 'Your cart is waiting' } },
  { id: 'email', kind: 'send', channel: 'email', message: { subject: 'Your cart', body: '<p>waiting</p>' } },
  { id: 'out', kind: 'exit' },
], {
  setup: { timezone: 'UTC', reentry: 'afterExit' },
  branches: [
    { from: 'push', to: 'out' },
    { from: 'push', to: 'email', branch: 'unreachable' },
  ],
});

async function start(kind: StoreKind) {
  return startDeliveryApi(kind, 'push.db');
}

await forEachStore((kind) => {
  test('push settings over the API; FCM, APNs and Web Push deliver; a dead token is kept and skipped; a new one is sent to', async () => {
    const { waymark, clock, call, reread } = await start(kind);
    const fcm = await fcmFake();
    const apns = await apnsFake();
    const vapid = vapidKeys();
    const browser = await webPushFake(vapid.publicKey);
    assert.equal((await call('POST', '/v1/journeys', { id: 'nudge', definition: journey })).status, 201);
    assert.equal((await call('POST', '/v1/journeys/nudge/publish')).status, 200);

    const settings = {
      provider: 'push',
      fcm: { serviceAccount: JSON.stringify(fcm.account), baseUrl: fcm.baseUrl },
      apns: { teamId: apns.teamId, keyId: apns.keyId, key: apns.key, bundleId: apns.bundleId, baseUrl: apns.baseUrl },
      webpush: { ...vapid, subject: 'mailto:ops@shop.test', allowHosts: ['127.0.0.1'] },
    };
    const put = await call('PUT', '/v1/providers/push', settings);
    assert.equal(put.status, 200, put.text);
    const shown = await call('GET', '/v1/providers');
    const push = shown.body.providers.find((p: { channel: string }) => p.channel === 'push');
    assert.deepEqual(push.settings, {
      provider: 'push',
      apns: { baseUrl: apns.baseUrl, bundleId: 'com.shop.app', key: { set: true }, keyId: 'KEY1234567', teamId: 'TEAM123456' },
      fcm: { baseUrl: fcm.baseUrl, serviceAccount: { set: true } },
      webpush: { allowHosts: ['127.0.0.1'], privateKey: { set: true }, publicKey: vapid.publicKey, subject: 'mailto:ops@shop.test' },
    });
    for (const secret of ['PRIVATE KEY', vapid.privateKey, 'client_email']) assert.ok(!shown.text.includes(secret) && !put.text.includes(secret), `${secret} is never returned`);
    // An update without the secrets keeps them.
    const update = await call('PUT', '/v1/providers/push', { ...settings, fcm: { baseUrl: fcm.baseUrl }, apns: { ...settings.apns, key: undefined }, webpush: { ...settings.webpush, privateKey: undefined } });
    assert.equal(update.status, 200, update.text);
    const kept = (await waymark.store.listProviders()).find((p) => p.channel === 'push')!.config as typeof settings;
    assert.deepEqual([kept.fcm.serviceAccount, kept.apns.key, kept.webpush.privateKey], [settings.fcm.serviceAccount, apns.key, vapid.privateKey]);
    await reread();

    const ana = browser.subscribe('ana');
    await waymark.engine.upsertProfiles([
      { userId: 'fay', traits: { name: 'Fay', pushToken: 'fcm-fay-1', email: 'fay@x.test' } },
      { userId: 'al', traits: { name: 'Al', pushToken: APNS_TOKEN } },
      { userId: 'ana', traits: { name: 'Ana', pushToken: ana } },
    ]);
    fcm.answers.push(fcm.unregistered());
    apns.answers.push({ status: 429, body: 'TooManyRequests', headers: { 'retry-after': '7' } });
    const cart = (userId: string, n: number) => waymark.engine.ingestNow([{ messageId: `${userId}-${n}`, userId, name: 'Carted', timestamp: clock.now(), properties: {} }]);
    for (const user of ['fay', 'al', 'ana']) await cart(user, 1);
    await waymark.engine.dispatch();
    const state = async (userId: string) => (await waymark.store.listMessages({ limit: 10, userId })).map((m) => [m.nodeId, m.status, m.reason, m.provider]);
    assert.deepEqual(await state('fay'), [['push', 'failed', 'invalid_token', 'fcm']]);
    assert.deepEqual(await state('al'), [['push', 'pending', 'apns_429: TooManyRequests', 'apns']]);
    assert.deepEqual(await state('ana'), [['push', 'sent', null, 'webpush']]);
    const anaPush = (await waymark.store.listMessages({ limit: 1, userId: 'ana' }))[0]!;
    const payloads = browser.received.map((r) => r.payload as Record<string, unknown>);
    assert.deepEqual(payloads.map((p) => ({ ...p, waymarkOpenToken: typeof p.waymarkOpenToken })), [{ title: 'Hi Ana', body: 'Your cart is waiting', messageId: anaPush.id, tag: collapse(anaPush.id), waymarkOpenToken: 'string' }]);
    // The app posts the open token when Ana opens the notification: the open is recorded on the message.
    assert.equal(anaPush.openedAt, null);
    const opened = await call('POST', '/v1/t/open', { token: payloads[0]!.waymarkOpenToken });
    assert.equal(opened.status, 200, opened.text);
    assert.equal((await waymark.store.listMessages({ limit: 1, userId: 'ana' }))[0]!.openedAt, T0);
    assert.equal((await waymark.store.getProfile('fay'))!.traits.pushTokenInvalid, 'fcm-fay-1', 'the dead token is kept on the profile');

    // Al's push is due again 7 s later (Retry-After), not before.
    const alMessage = (await waymark.store.listMessages({ limit: 1, userId: 'al' }))[0]!;
    assert.equal(alMessage.nextAttemptAt, T0 + 7_000);
    clock.set(T0 + 7_000);
    await waymark.engine.dispatch();
    assert.deepEqual(await state('al'), [['push', 'sent', null, 'apns']]);
    assert.equal(apns.requests.length, 2);
    const apnsBody = apns.requests[1]!.body as Record<string, unknown>;
    assert.deepEqual({ ...apnsBody, waymarkOpenToken: typeof apnsBody.waymarkOpenToken }, { aps: { alert: { title: 'Hi Al', body: 'Your cart is waiting' } }, waymarkOpenToken: 'string' });

    // Fay again: her token is known dead, so the push is skipped (no request) and the email goes instead.
    const fcmSends = fcm.sends.length;
    await cart('fay', 2);
    await waymark.engine.dispatch();
    assert.deepEqual((await state('fay')).slice(1), [['push', 'skipped', 'invalid_token', null], ['email', 'sent', null, 'outbox']]);
    assert.equal(fcm.sends.length, fcmSends, 'no request for a token known dead');
    const explained = await call('GET', '/v1/users/fay/explain');
    assert.ok(explained.text.includes('the provider reported this pushToken invalid'), explained.text.slice(0, 500));

    // The app registers a new token: sent to again.
    await waymark.engine.upsertProfiles([{ userId: 'fay', traits: { pushToken: 'fcm-fay-2' } }]);
    await cart('fay', 3);
    await waymark.engine.dispatch();
    assert.deepEqual((await state('fay')).at(-1), ['push', 'sent', null, 'fcm']);
    assert.equal(fcm.sends.at(-1)!.body.message.token, 'fcm-fay-2');
  });

  test('bad push settings are 400s naming the field', async () => {
    const { call } = await start(kind);
    const problem = async (body: unknown) => {
      const r = await call('PUT', '/v1/providers/push', body);
      assert.equal(r.status, 400, r.text);
      return r.body.problems.map((p: { path: string }) => p.path);
    };
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ec384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const account = { project_id: 'p', client_email: 'a@p.iam.gserviceaccount.com', private_key: rsa, token_uri: 'https://oauth2.googleapis.com/token' };
    const apns = { teamId: 'TEAM123456', keyId: 'KEY1234567', bundleId: 'com.shop.app' };
    const vapid = vapidKeys();
    assert.deepEqual(await problem({ provider: 'push' }), ['/provider']);
    assert.deepEqual(await problem({ provider: 'push', fcm: {} }), ['/fcm/serviceAccount']);
    assert.deepEqual(await problem({ provider: 'push', fcm: { serviceAccount: 'not json' } }), ['/fcm/serviceAccount']);
    assert.deepEqual(await problem({ provider: 'push', fcm: { serviceAccount: JSON.stringify({ ...account, token_uri: undefined }) } }), ['/fcm/serviceAccount']);
    assert.deepEqual(await problem({ provider: 'push', fcm: { serviceAccount: JSON.stringify({ ...account, private_key: ec384 }) } }), ['/fcm/serviceAccount']);
    assert.deepEqual(await problem({ provider: 'push', fcm: { serviceAccount: JSON.stringify(account), baseUrl: 'ftp://x' } }), ['/fcm/baseUrl']);
    for (const ratePerSecond of [0, 100_001, 2.5]) assert.deepEqual(await problem({ provider: 'push', fcm: { serviceAccount: JSON.stringify(account) }, ratePerSecond }), ['/ratePerSecond'], String(ratePerSecond));
    assert.deepEqual(await problem({ provider: 'push', apns: { ...apns, key: ec384 } }), ['/apns/key']);
    assert.deepEqual(await problem({ provider: 'push', apns: { ...apns, teamId: 'team123456' } }), ['/apns/teamId', '/apns/key']);
    assert.deepEqual(await problem({ provider: 'push', webpush: { ...vapid, subject: 'http://shop.test' } }), ['/webpush/subject']);
    assert.deepEqual(await problem({ provider: 'push', webpush: { ...vapid, privateKey: vapidKeys().privateKey, subject: 'mailto:a@b.test' } }), ['/webpush/privateKey']);
    assert.deepEqual(await problem({ provider: 'push', webpush: { publicKey: 'abc', subject: 'mailto:a@b.test' } }), ['/webpush/publicKey', '/webpush/privateKey']);
    assert.equal((await call('PUT', '/v1/providers/push', { provider: 'push', fcm: { serviceAccount: JSON.stringify(account) } })).status, 200);
    assert.deepEqual(await problem({ provider: 'smtp', host: 'h', port: 25, from: 'a@b.test' }), ['/provider']);
  });
});
