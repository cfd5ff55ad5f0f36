/** The delivery helpers of the dashboard: provider forms and back, the webhook secret, delivery state in words. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bodyOf,
  deliveryWords,
  draftOf,
  hostsOf,
  logDeliveryReason,
  messagesOfSteps,
  newWebhookSecret,
  problemsLeft,
  providerFields,
  pushSecretsSet,
  pushSummary,
  secretSet,
  stepDeliveryWords,
  type PushDraft,
  type SmtpDraft,
  type TwilioDraft,
  type WebhookDraft,
} from '../../web/src/lib/delivery.ts';

const time = (at: number) => `t${at}`;

test('a stored secret is known only as { set: true }', () => {
  assert.equal(secretSet({ secret: { set: true } }, 'secret'), true);
  assert.equal(secretSet({ secret: 'whsec_x' }, 'secret'), false);
  assert.equal(secretSet({}, 'password'), false);
});

test('a form starts from the stored settings, secrets empty; another provider or none gives the defaults', () => {
  assert.deepEqual(draftOf('smtp', { provider: 'smtp', host: 'mx.test', port: 465, secure: true, user: 'u', password: { set: true }, from: 'a@b.test', returnPath: 'bounces@b.test' }), {
    provider: 'smtp', host: 'mx.test', port: '465', secure: true, user: 'u', password: '', from: 'a@b.test', replyTo: '', returnPath: 'bounces@b.test', publicUrl: '', tracking: true,
  });
  assert.equal((draftOf('smtp', { provider: 'smtp', tracking: false }) as SmtpDraft).tracking, false);
  assert.deepEqual(draftOf('smtp', {}), { provider: 'smtp', host: '', port: '587', secure: false, user: '', password: '', from: '', replyTo: '', returnPath: '', publicUrl: '', tracking: true });
  assert.deepEqual(draftOf('webhook', { provider: 'webhook', secret: { set: true }, timeoutMs: 5000, allowHosts: ['127.0.0.1', 'hooks.lan'] }), {
    provider: 'webhook', secret: '', timeoutMs: '5000', allowHosts: '127.0.0.1\nhooks.lan',
  });
});

test('the PUT body leaves out empty optional fields and an empty secret (kept by the server)', () => {
  const smtp: SmtpDraft = { provider: 'smtp', host: ' mx.test ', port: '587', secure: false, user: '', password: '', from: 'Shop <a@b.test>', replyTo: '', returnPath: '', publicUrl: '', tracking: true };
  assert.deepEqual(bodyOf(smtp), { body: { provider: 'smtp', host: 'mx.test', port: 587, from: 'Shop <a@b.test>' }, problems: [] });
  assert.deepEqual(bodyOf({ ...smtp, secure: true, user: 'me', password: ' p w ', replyTo: 'r@b.test', returnPath: ' bounces@b.test ' }).body, {
    provider: 'smtp', host: 'mx.test', port: 587, secure: true, user: 'me', password: ' p w ', from: 'Shop <a@b.test>', replyTo: 'r@b.test', returnPath: 'bounces@b.test',
  });
  assert.deepEqual(bodyOf({ ...smtp, tracking: false }).body, { provider: 'smtp', host: 'mx.test', port: 587, from: 'Shop <a@b.test>', tracking: false }, 'tracking is sent only to turn it off');
  const hook: WebhookDraft = { provider: 'webhook', secret: '', timeoutMs: '', allowHosts: '' };
  assert.deepEqual(bodyOf(hook), { body: { provider: 'webhook' }, problems: [] });
  assert.deepEqual(bodyOf({ provider: 'webhook', secret: 'whsec_abc', timeoutMs: '2500', allowHosts: 'a.test, b.test\n127.0.0.1' }).body, {
    provider: 'webhook', secret: 'whsec_abc', timeoutMs: 2500, allowHosts: ['a.test', 'b.test', '127.0.0.1'],
  });
});

test('a Twilio form keeps its secrets write-only and the stored API base; empty optional fields are left out', () => {
  const stored = { provider: 'twilio', accountSid: 'AC1', authToken: { set: true }, from: '+15005550006', publicUrl: 'https://w.test', baseUrl: 'http://127.0.0.1:9' };
  const draft = draftOf('twilio', stored) as TwilioDraft;
  assert.deepEqual(draft, { provider: 'twilio', accountSid: 'AC1', authToken: '', apiKeySid: '', apiKeySecret: '', from: '+15005550006', messagingServiceSid: '', publicUrl: 'https://w.test', baseUrl: 'http://127.0.0.1:9' });
  assert.deepEqual(bodyOf(draft), { body: { provider: 'twilio', accountSid: 'AC1', from: '+15005550006', publicUrl: 'https://w.test', baseUrl: 'http://127.0.0.1:9' }, problems: [] });
  assert.deepEqual(bodyOf({ ...draft, authToken: ' tok ', apiKeySid: ' SK2 ', apiKeySecret: 's', from: '', messagingServiceSid: 'MG3', baseUrl: '' }).body, {
    provider: 'twilio', accountSid: 'AC1', authToken: ' tok ', apiKeySid: 'SK2', apiKeySecret: 's', messagingServiceSid: 'MG3', publicUrl: 'https://w.test',
  });
  assert.equal(draftOf('twilio', { provider: 'smtp', from: 'a@b.test' }).provider, 'twilio');
  assert.equal((draftOf('twilio', { provider: 'smtp', from: 'a@b.test' }) as TwilioDraft).from, '', "another provider's settings are not taken");
});

test('what a body cannot express is a problem at the field the server would name', () => {
  const smtp: SmtpDraft = { provider: 'smtp', host: 'mx.test', port: 'x', secure: false, user: '', password: '', from: 'a@b.test', replyTo: '', returnPath: '', publicUrl: '', tracking: true };
  assert.deepEqual(bodyOf(smtp).problems.map((p) => p.path), ['/port']);
  assert.deepEqual(bodyOf({ provider: 'webhook', secret: '', timeoutMs: '1.5', allowHosts: '' }).problems.map((p) => p.path), ['/timeoutMs']);
  assert.deepEqual(hostsOf('  \n , '), []);
});

/** Push as GET /v1/providers shows it: every route set, secrets as { set: true }, settings the form does not show. */
const storedPush = {
  provider: 'push',
  fcm: { baseUrl: 'http://127.0.0.1:9', serviceAccount: { set: true } },
  apns: { bundleId: 'com.shop.app', key: { set: true }, keyId: 'KEY1234567', production: true, teamId: 'TEAM123456' },
  webpush: { allowHosts: ['127.0.0.1'], privateKey: { set: true }, publicKey: 'BPub', subject: 'mailto:ops@shop.test', ttlSeconds: 60 },
  timeoutMs: 5000,
};

test('a push form starts from the stored routes, secrets empty, and keeps what it does not show', () => {
  const draft = draftOf('push', storedPush) as PushDraft;
  assert.deepEqual(draft, {
    provider: 'push',
    fcm: true, serviceAccount: '',
    apns: true, teamId: 'TEAM123456', keyId: 'KEY1234567', apnsKey: '', bundleId: 'com.shop.app', production: true,
    webpush: true, publicKey: 'BPub', privateKey: '', subject: 'mailto:ops@shop.test',
    kept: { top: { timeoutMs: 5000 }, fcm: { baseUrl: 'http://127.0.0.1:9' }, apns: {}, webpush: { allowHosts: ['127.0.0.1'], ttlSeconds: 60 } },
  });
  // Left unchanged, the body names no secret (each is kept) and sends back the settings not shown.
  assert.deepEqual(bodyOf(draft), {
    body: {
      provider: 'push', timeoutMs: 5000,
      fcm: { baseUrl: 'http://127.0.0.1:9' },
      apns: { teamId: 'TEAM123456', keyId: 'KEY1234567', bundleId: 'com.shop.app', production: true },
      webpush: { allowHosts: ['127.0.0.1'], ttlSeconds: 60, publicKey: 'BPub', subject: 'mailto:ops@shop.test' },
    },
    problems: [],
  });
  assert.deepEqual(pushSecretsSet(storedPush), { serviceAccount: true, apnsKey: true, privateKey: true });
  assert.deepEqual(pushSecretsSet({ provider: 'push', webpush: { publicKey: 'BPub', subject: 'mailto:a@b.test' } }), { serviceAccount: false, apnsKey: false, privateKey: false });
});

test('a new push form includes no route; a route left out is not sent; secrets are trimmed, blank ones kept', () => {
  const empty = draftOf('push', { provider: 'smtp', host: 'mx.test' }) as PushDraft;
  assert.deepEqual([empty.fcm, empty.apns, empty.webpush, empty.teamId, empty.kept], [false, false, false, '', { top: {}, fcm: {}, apns: {}, webpush: {} }]);
  assert.deepEqual(bodyOf(empty), { body: { provider: 'push' }, problems: [{ path: '/provider', message: 'include at least one of Firebase Cloud Messaging, APNs and Web Push' }] });
  const pem = '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----';
  const typed: PushDraft = {
    ...empty, apns: true, teamId: ' TEAM123456 ', keyId: 'KEY1234567', apnsKey: `\n${pem}\n`, bundleId: 'com.shop.app', production: false,
    webpush: true, publicKey: ' BPub ', privateKey: '   ', subject: 'mailto:ops@shop.test', fcm: false, serviceAccount: '{"a":1}',
  };
  assert.deepEqual(bodyOf(typed), {
    body: {
      provider: 'push',
      apns: { teamId: 'TEAM123456', keyId: 'KEY1234567', key: pem, bundleId: 'com.shop.app' },
      webpush: { publicKey: 'BPub', subject: 'mailto:ops@shop.test' },
    },
    problems: [],
  });
  assert.deepEqual(bodyOf({ ...typed, apns: false, webpush: false, fcm: true }).body, { provider: 'push', fcm: { serviceAccount: '{"a":1}' } });
});

test("push problems go next to their fields, and go when the field or its route is edited", () => {
  const problems = [
    { path: '/fcm/serviceAccount', message: 'not JSON' },
    { path: '/apns/key', message: 'not a key' },
    { path: '/apns/baseUrl', message: 'not a URL' },
    { path: '/webpush/privateKey', message: 'not the pair' },
    { path: '/provider', message: 'at least one' },
  ];
  assert.deepEqual(problemsLeft(problems, ['apnsKey'], 'push').map((p) => p.path), ['/fcm/serviceAccount', '/apns/baseUrl', '/webpush/privateKey', '/provider']);
  assert.deepEqual(problemsLeft(problems, ['apns'], 'push').map((p) => p.path), ['/fcm/serviceAccount', '/webpush/privateKey']);
  assert.deepEqual(problemsLeft(problems, ['privateKey', 'serviceAccount'], 'push').map((p) => p.path), ['/apns/key', '/apns/baseUrl', '/provider']);
  // Other forms' keys are their paths.
  assert.deepEqual(problemsLeft([{ path: '/from', message: 'x' }, { path: '/host', message: 'y' }], ['host'], 'smtp').map((p) => p.path), ['/from']);
  const fields = providerFields('push');
  for (const path of ['/provider', '/fcm', '/fcm/serviceAccount', '/apns', '/apns/teamId', '/apns/keyId', '/apns/key', '/apns/bundleId', '/webpush', '/webpush/publicKey', '/webpush/privateKey', '/webpush/subject']) {
    assert.ok(fields.includes(path), path);
  }
});

test('a push card says which routes are set and each secret only as set', () => {
  assert.deepEqual(pushSummary(storedPush), [
    { label: 'Routes', value: 'FCM, APNs and Web Push' },
    { label: 'FCM', value: 'service account set' },
    { label: 'APNs', value: 'com.shop.app (production), team TEAM123456, key KEY1234567: .p8 key set' },
    { label: 'Web Push', value: 'mailto:ops@shop.test: private key set' },
    { label: 'Timeout (ms)', value: '5000' },
  ]);
  assert.deepEqual(pushSummary({ provider: 'push', webpush: { publicKey: 'BPub', subject: 'https://shop.test' } }), [
    { label: 'Routes', value: 'Web Push' },
    { label: 'Web Push', value: 'https://shop.test: private key not set' },
  ]);
});

test('a webhook secret is whsec_ and the base64 of 32 random bytes', () => {
  const fixed = newWebhookSecret((b) => b.fill(0xff));
  // 32 bytes of 0xff: 10 groups of "////" and "//8=" for the last two bytes.
  assert.equal(fixed, `whsec_${'/'.repeat(42)}8=`);
  const real = newWebhookSecret();
  assert.match(real, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.notEqual(real, newWebhookSecret());
});

test('a retry and a dead letter in words; other messages have none', () => {
  assert.equal(deliveryWords({ status: 'pending', reason: 'timeout', attempts: 2, nextAttemptAt: 99 }, time), 'Retrying (attempt 2, next at t99): timeout');
  assert.equal(deliveryWords({ status: 'pending', reason: null, attempts: 1, nextAttemptAt: null }, time), 'Retrying (attempt 1, next soon)');
  assert.equal(deliveryWords({ status: 'dead', reason: 'http_503', attempts: 8, nextAttemptAt: null }, time), 'Dead letter: http_503 (after 8 attempts)');
  assert.equal(deliveryWords({ status: 'dead', reason: null, attempts: 1, nextAttemptAt: null }, time), 'Dead letter: no reason recorded (after 1 attempt)');
  assert.equal(deliveryWords({ status: 'pending', reason: null, attempts: 0, nextAttemptAt: null }, time), null);
  assert.equal(deliveryWords({ status: 'failed', reason: 'http_400', attempts: 1, nextAttemptAt: null }, time), null);
});

test('explain steps meet their messages in order per node, and say their delivery in words', () => {
  const steps = [
    { nodeId: 'a', outcome: 'sent', reason: null, detail: 'sent by push' },
    { nodeId: 'hook', outcome: 'pending', reason: 'retrying', detail: 'queued for a retry after 2 attempt(s) (timeout)' },
    { nodeId: 'hook', outcome: 'failed', reason: 'http_503', detail: 'dead-lettered after 8 attempt(s): http_503' },
  ];
  const m = (seq: number, nodeId: string, createdAt: number, status: string) => ({ seq, nodeId, createdAt, status, reason: 'timeout', attempts: 2, nextAttemptAt: 50 });
  const messages = [m(3, 'hook', 20, 'dead'), m(1, 'a', 5, 'sent'), m(2, 'hook', 10, 'pending')];
  const matched = messagesOfSteps(steps, messages);
  assert.deepEqual(matched.map((x) => x?.seq), [1, 2, 3]);
  assert.deepEqual(
    steps.map((s, i) => stepDeliveryWords(s, matched[i], time)),
    [null, 'Retrying (attempt 2, next at t50): timeout', 'Dead letter: timeout (after 2 attempts)'],
  );
  // Without the message log, explain's own words.
  assert.deepEqual(
    steps.map((s) => stepDeliveryWords(s, undefined, time)),
    [null, 'Retrying after a passing failure', 'Dead letter: http_503'],
  );
});

test('the message log says the last error of a retry and the reason of a dead letter', () => {
  assert.equal(logDeliveryReason({ status: 'pending', reason: 'timeout', attempts: 3, nextAttemptAt: 9 }), 'Last attempt failed: timeout');
  assert.equal(logDeliveryReason({ status: 'dead', reason: 'smtp_421', attempts: 8, nextAttemptAt: null }), 'Dead letter: smtp_421 (after 8 attempts)');
  assert.equal(logDeliveryReason({ status: 'pending', reason: null, attempts: 0, nextAttemptAt: null }), null);
  assert.equal(logDeliveryReason({ status: 'pending', reason: 'http_503', attempts: 0, nextAttemptAt: 5 }), 'Sent again after a dead letter: http_503');
  assert.equal(logDeliveryReason({ status: 'sent', reason: null, attempts: 1, nextAttemptAt: null }), null);
});
