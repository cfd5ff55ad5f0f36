/**
 * Twilio's Messages API against a fake of it on loopback (twilio-server.ts), through the dispatcher: the form
 * and Basic auth as Twilio documents them, for SMS and WhatsApp, with an auth token or an API key; the SID
 * kept (a status callback by it finds the message); 500 and 429 retried (Retry-After honoured); Twilio's
 * 400s final with its code and message; 21610 opts the user out; no answer within the timeout is transient.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { twilioSender, type TwilioConfig } from '../../src/channels/twilio.ts';
import type { Channel } from '../../src/core/channels.ts';
import { dispatchDue } from '../../src/engine/dispatch.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { NewMessage } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';
import { fakeTwilio, twilioError } from './twilio-server.ts';

const ACCOUNT = `AC${'a1'.repeat(16)}`;
const TOKEN = 'auth-token-0123456789abcdef';
const API_KEY = `SK${'b2'.repeat(16)}`;
const NOW = 1_700_000_000_000;

function message(id: string, channel: Channel, to: string, body = `Hello ${id}`): NewMessage {
  return { id, journeyId: 'j', version: 1, instanceId: `i-${id}`, nodeId: 'text', userId: `user-${id}`, channel, status: 'pending', reason: null, content: { body, to }, createdAt: 0, sentAt: null };
}

async function setup(channel: Channel, config: Omit<TwilioConfig, 'whatsapp' | 'baseUrl'>, credentials = { user: ACCOUNT, password: TOKEN }) {
  const twilio = await fakeTwilio({ accountSid: ACCOUNT, ...credentials });
  const store = new SqliteStore(join(tempDir(), 'twilio.db'));
  after(() => store.close());
  let now = NOW;
  let n = 0;
  const queue = async (...messages: NewMessage[]) => store.ingestEvents([{ messageId: `e${++n}`, userId: 'u', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages }));
  const channels = { ...outboxOnly(), [channel]: twilioSender({ ...config, baseUrl: twilio.url, whatsapp: channel === 'whatsapp' }) };
  const dispatch = () => dispatchDue({ store, channels, now: () => now, random: () => 0.5 });
  const log = async () => Object.fromEntries((await store.listMessages({ limit: 20 })).map((x) => [x.id, [x.status, x.attempts, x.nextAttemptAt, x.reason, x.provider]]));
  return { twilio, store, queue, dispatch, log, setNow: (t: number) => (now = t) };
}

test('an SMS is a form POST with Basic auth (account SID and auth token); 201 sends it and keeps its SID', async () => {
  const { twilio, store, queue, dispatch, log } = await setup('sms', { accountSid: ACCOUNT, authToken: TOKEN, from: '+15005550006', publicUrl: 'https://waymark.example.com/' });
  await queue(message('a', 'sms', '+14155550100', 'Your cart misses you & us'));
  assert.equal(await dispatch(), 1);
  assert.equal(twilio.requests.length, 1);
  const [request] = twilio.requests;
  assert.equal(request!.path, `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
  assert.equal(request!.authorization, `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`);
  assert.equal(request!.contentType, 'application/x-www-form-urlencoded');
  assert.deepEqual(request!.form, { To: '+14155550100', From: '+15005550006', Body: 'Your cart misses you & us', StatusCallback: 'https://waymark.example.com/v1/twilio/status' });
  assert.deepEqual((await log()).a, ['sent', 1, null, null, 'twilio']);
  // The SID Twilio gave is the one its status callback will name.
  assert.equal(twilio.accepted[0]!.sid, `SM${'0'.repeat(31)}1`);
  assert.equal(await store.recordDelivery({ provider: 'twilio', providerId: twilio.accepted[0]!.sid, status: 'delivered', reason: null, at: NOW }), true);
  assert.equal((await log()).a![0], 'delivered');
});

test('WhatsApp addresses are whatsapp:+E.164 on To and From; an API key authenticates instead of the token; no public URL, no StatusCallback', async () => {
  const { twilio, queue, dispatch, log } = await setup('whatsapp', { accountSid: ACCOUNT, apiKeySid: API_KEY, apiKeySecret: 'key-secret', from: '+14155238886' }, { user: API_KEY, password: 'key-secret' });
  await queue(message('w', 'whatsapp', '+447700900123'));
  await dispatch();
  assert.equal(twilio.requests[0]!.authorization, `Basic ${Buffer.from(`${API_KEY}:key-secret`).toString('base64')}`);
  assert.deepEqual(twilio.requests[0]!.form, { To: 'whatsapp:+447700900123', From: 'whatsapp:+14155238886', Body: 'Hello w' });
  assert.deepEqual((await log()).w, ['sent', 1, null, null, 'twilio']);
});

test('a Messaging Service sends in place of a number', async () => {
  const service = `MG${'c3'.repeat(16)}`;
  const { twilio, queue, dispatch } = await setup('sms', { accountSid: ACCOUNT, authToken: TOKEN, messagingServiceSid: service });
  await queue(message('m', 'sms', '+14155550100'));
  await dispatch();
  assert.deepEqual(twilio.requests[0]!.form, { To: '+14155550100', MessagingServiceSid: service, Body: 'Hello m' });
});

test("500 and 429 are retried (Retry-After honoured); Twilio's 400s and a bad login are final with its code and message", async () => {
  const { twilio, queue, dispatch, log, setNow } = await setup('sms', { accountSid: ACCOUNT, authToken: TOKEN, from: '+15005550006' });
  twilio.answers.push(
    (res) => twilioError(res, 500, 20500, 'Internal Server Error'),
    (res) => twilioError(res, 429, 20429, 'Too Many Requests', { 'retry-after': '7' }),
    (res) => twilioError(res, 400, 21211, "The 'To' number 12 is not a valid phone number."),
  );
  // One at a time, so the answers go in order.
  await queue(message('a', 'sms', '+14155550100'));
  await dispatch();
  await queue(message('b', 'sms', '+14155550101'));
  await dispatch();
  await queue(message('c', 'sms', '12'));
  await dispatch();
  assert.deepEqual(await log(), {
    // Equal jitter at 0.5 of the first ceiling (30 s): 15 s + 7.5 s.
    a: ['pending', 1, NOW + 22_500, 'twilio_20500: Internal Server Error', 'twilio'],
    b: ['pending', 1, NOW + 7_000, 'twilio_20429: Too Many Requests', 'twilio'],
    c: ['failed', 1, null, "twilio_21211: The 'To' number 12 is not a valid phone number.", 'twilio'],
  });
  setNow(NOW + 22_500);
  await dispatch();
  const after15 = await log();
  assert.deepEqual([after15.a, after15.b], [['sent', 2, null, null, 'twilio'], ['sent', 2, null, null, 'twilio']]);
  assert.deepEqual(twilio.accepted.map((x) => x.form.To).sort(), ['+14155550100', '+14155550101']);

  const wrong = await setup('sms', { accountSid: ACCOUNT, authToken: 'not-the-token', from: '+15005550006' });
  await wrong.queue(message('d', 'sms', '+14155550100'));
  await wrong.dispatch();
  assert.deepEqual((await wrong.log()).d, ['failed', 1, null, 'twilio_20003: Authenticate', 'twilio']);
});

test('21610 (the recipient replied STOP) fails the message for good and sets the opt-out trait on their profile', async () => {
  const { twilio, store, queue, dispatch, log } = await setup('whatsapp', { accountSid: ACCOUNT, authToken: TOKEN, from: '+14155238886' });
  twilio.unsubscribed.add('+14155550100');
  await store.upsertProfiles([{ userId: 'user-s', traits: { phone: '+14155550100' } }, { userId: 'user-t', traits: { phone: '+14155550101' } }], 0);
  await queue(message('s', 'whatsapp', '+14155550100'), message('t', 'whatsapp', '+14155550101'));
  await dispatch();
  const logged = await log();
  assert.deepEqual([logged.s, logged.t![0]], [['failed', 1, null, 'twilio_21610: Attempt to send to unsubscribed recipient', 'twilio'], 'sent']);
  assert.deepEqual((await store.getProfile('user-s'))!.traits, { phone: '+14155550100', whatsappOptOut: true });
  assert.deepEqual((await store.getProfile('user-t'))!.traits, { phone: '+14155550101' });
});

test('no answer within the timeout is a transient failure', async () => {
  const { twilio, queue, dispatch, log } = await setup('sms', { accountSid: ACCOUNT, authToken: TOKEN, from: '+15005550006', timeoutMs: 200 });
  twilio.answers.push(() => {}); // never answers
  await queue(message('slow', 'sms', '+14155550100'));
  await dispatch();
  assert.deepEqual((await log()).slow, ['pending', 1, NOW + 22_500, 'timeout', 'twilio']);
});
