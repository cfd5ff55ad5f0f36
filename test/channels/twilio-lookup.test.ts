/**
 * Twilio takes no idempotency key, so a text an earlier claim may have posted (its process died before recording
 * it) is looked for in Twilio's Messages list before it is sent again: found, it is recorded sent with Twilio's
 * SID and not posted; not found, it is posted; a list that cannot be read is a transient failure. A first claim,
 * or a retry after a recorded outcome, posts without looking. Against the fake of Twilio's API on loopback
 * (twilio-server.ts), through the dispatcher and a real SQLite store; a dead claim is made by claiming and
 * ending the lease in the database, as 30 s without its dispatcher would.
 */
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { outboxOnly } from '../../src/channels/outbox.ts';
import { twilioSender, type TwilioConfig } from '../../src/channels/twilio.ts';
import { dispatchDue } from '../../src/engine/dispatch.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { NewMessage } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';
import { fakeTwilio, twilioError } from './twilio-server.ts';

const ACCOUNT = `AC${'d4'.repeat(16)}`;
const TOKEN = 'auth-token-lookup';
const FROM = '+15005550006';
const TO = '+14155550100';
const MADE = Date.UTC(2026, 11, 4, 12); // when the journey made the message
const MIN = 60_000;

function message(id: string, body: string, to = TO): NewMessage {
  return { id, journeyId: 'j', version: 1, instanceId: `i-${id}`, nodeId: 'text', userId: `user-${id}`, channel: 'sms', status: 'pending', reason: null, content: { body, to }, createdAt: MADE, sentAt: null };
}

async function setup(config: Partial<Omit<TwilioConfig, 'whatsapp' | 'baseUrl' | 'accountSid'>> = { from: FROM }) {
  const twilio = await fakeTwilio({ accountSid: ACCOUNT, user: ACCOUNT, password: TOKEN });
  twilio.now = () => MADE + MIN; // Twilio took our texts a minute after they were made
  const file = join(tempDir(), 'lookup.db');
  const store = new SqliteStore(file);
  after(() => store.close());
  let n = 0;
  const queue = (...messages: NewMessage[]) => store.ingestEvents([{ messageId: `e${++n}`, userId: 'u', name: 'x', timestamp: 0, properties: {} }], 0, () => ({ instances: [], stats: [], messages }));
  const channels = { ...outboxOnly(), sms: twilioSender({ accountSid: ACCOUNT, authToken: TOKEN, ...config, baseUrl: twilio.url, whatsapp: false }) };
  const dispatch = () => dispatchDue({ store, channels, now: () => MADE + 2 * MIN, random: () => 0.5 });
  /** A dispatcher claims every due message and dies before recording anything; its leases then run out. */
  const deadClaim = async () => {
    await store.pendingMessages(100, MADE + 2 * MIN);
    const db = new Database(file);
    db.prepare('UPDATE messages SET lease_until = 0 WHERE lease_until IS NOT NULL').run();
    db.close();
  };
  const row = async (id: string) => {
    const m = (await store.getMessage(id))!;
    return [m.status, m.attempts, m.claims, m.reason];
  };
  const providerId = (id: string) => new Database(file).prepare('SELECT provider_id FROM messages WHERE id = ?').pluck().get(id);
  /** Twilio already has this text, as the dead claim's POST left it. */
  const took = (sid: string, body: string, createdAt = MADE + MIN, to = TO, from: Record<string, string> = { From: FROM }) =>
    twilio.accepted.push({ sid, form: { To: to, ...from, Body: body }, createdAt });
  return { twilio, store, queue, dispatch, deadClaim, row, providerId, took };
}

test('a first claim posts without looking', async () => {
  const { twilio, queue, dispatch, row } = await setup();
  await queue(message('a', 'Your cart'));
  assert.equal(await dispatch(), 1);
  assert.equal(twilio.lists.length, 0, 'no list read on the normal path');
  assert.equal(twilio.requests.length, 1);
  assert.deepEqual(await row('a'), ['sent', 1, 1, null]);
});

test('after a dead claim, a text Twilio has is recorded sent with its SID and not posted again', async () => {
  const { twilio, queue, dispatch, deadClaim, row, providerId, took } = await setup();
  await queue(message('a', 'Your cart, Ana'));
  await deadClaim();
  took('SM00000000000000000000000000000dead', 'Your cart, Ana');
  assert.equal(await dispatch(), 1);
  assert.equal(twilio.requests.length, 0, 'not posted');
  assert.deepEqual(await row('a'), ['sent', 1, 2, null]);
  assert.equal(providerId('a'), 'SM00000000000000000000000000000dead', "Twilio's SID, for its status callbacks");
  assert.equal(twilio.lists.length, 1);
  assert.deepEqual(Object.fromEntries(twilio.lists[0]!), { To: TO, From: FROM, PageSize: '200' });
});

test('after a dead claim, a text Twilio does not have is posted: another text to the number, or the same one before the message was made, is not it', async () => {
  const { twilio, queue, dispatch, deadClaim, row, took } = await setup();
  await queue(message('a', 'Your cart, Ana'));
  await deadClaim();
  took('SM00000000000000000000000000000old', 'Your cart, Ana', MADE - 6 * MIN); // older than the message, past the 5 min allowed for clocks
  took('SM0000000000000000000000000000other', 'Your cart, Bea');
  took('SM000000000000000000000000000000to2', 'Your cart, Ana', MADE + MIN, '+14155550199');
  took('SM00000000000000000000000000000frm', 'Your cart, Ana', MADE + MIN, TO, { From: '+15005550009' });
  assert.equal(await dispatch(), 1);
  assert.equal(twilio.requests.length, 1, 'posted once');
  assert.deepEqual(await row('a'), ['sent', 1, 2, null]);
});

test('the list is read page after page, back to the time the message was made', async () => {
  const { twilio, queue, dispatch, deadClaim, providerId, took } = await setup();
  await queue(message('a', 'Your cart, Ana'));
  await deadClaim();
  took('SM0000000000000000000000000000000a', 'Your cart, Ana');
  for (let i = 0; i < 250; i++) took(`SM${String(i).padStart(32, '0')}`, `Another text ${i}`, MADE + 2 * MIN); // newer: they come first
  assert.equal(await dispatch(), 1);
  assert.equal(twilio.requests.length, 0);
  assert.equal(providerId('a'), 'SM0000000000000000000000000000000a', 'found on the second page');
  assert.deepEqual(twilio.lists.map((q) => q.get('Page')), [null, '1']);
});

test('a list that cannot be read is a transient failure: nothing is posted until it can be', async () => {
  const { twilio, queue, dispatch, deadClaim, row, store } = await setup();
  await queue(message('a', 'Your cart, Ana'));
  await deadClaim();
  twilio.listAnswers.push((res) => twilioError(res, 500, 20500, 'Internal Server Error'));
  assert.equal(await dispatch(), 1);
  assert.equal(twilio.requests.length, 0);
  assert.deepEqual(await row('a'), ['pending', 1, 2, 'lookup_http_500']);
  // The dead claim's POST may still have happened: every later claim looks again (claims stay 2 ahead of attempts).
  const [retry] = await store.pendingMessages(10, MADE + 60 * MIN);
  assert.deepEqual([retry!.attempts, retry!.claims], [1, 3]);
});

test('a next page on another host is refused: the credentials go to Twilio only', async () => {
  const { twilio, queue, dispatch, deadClaim, row } = await setup();
  await queue(message('a', 'Your cart, Ana'));
  await deadClaim();
  twilio.listAnswers.push((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messages: [], next_page_uri: 'http://127.0.0.1:9/steal' })));
  await dispatch();
  assert.equal(twilio.requests.length, 0);
  assert.deepEqual(await row('a'), ['pending', 1, 2, 'lookup_next_page_elsewhere']);
});

test('with a Messaging Service, the list is read by To alone and the service must match', async () => {
  const service = `MG${'c3'.repeat(16)}`;
  const { twilio, queue, dispatch, deadClaim, providerId, took } = await setup({ messagingServiceSid: service });
  await queue(message('a', 'Your cart, Ana'));
  await deadClaim();
  took('SM0000000000000000000000000000svc2', 'Your cart, Ana', MADE + MIN, TO, { MessagingServiceSid: `MG${'c4'.repeat(16)}` });
  took('SM00000000000000000000000000000svc', 'Your cart, Ana', MADE + MIN, TO, { MessagingServiceSid: service });
  await dispatch();
  assert.equal(twilio.requests.length, 0);
  assert.equal(providerId('a'), 'SM00000000000000000000000000000svc');
  assert.deepEqual(Object.fromEntries(twilio.lists[0]!), { To: TO, PageSize: '200' });
});

const answering = (body: string) => (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(body);

for (const body of ['not json', '{"messages":"x"}', 'null', `{"messages":[${'['.repeat(10_000)}`]) {
  test(`a list answer that is not Twilio's shape (${JSON.stringify(body.slice(0, 16))}) is a transient failure: nothing posted`, async () => {
    const { twilio, queue, dispatch, deadClaim, row } = await setup();
    await queue(message('a', 'Your cart, Ana'));
    await deadClaim();
    twilio.listAnswers.push(answering(body));
    assert.equal(await dispatch(), 1);
    assert.equal(twilio.requests.length, 0);
    assert.deepEqual(await row('a'), ['pending', 1, 2, 'lookup_unreadable']);
  });
}

test('odd entries in a list match nothing, a SID that is not a string included: the text is posted', async () => {
  const { twilio, queue, dispatch, deadClaim, row } = await setup();
  await queue(message('a', 'Your cart, Ana'));
  await deadClaim();
  twilio.listAnswers.push(answering(JSON.stringify({ messages: [null, 5, 'x', { to: 7, body: {}, sid: 9 }, { to: TO, body: 'Your cart, Ana', from: FROM, sid: 42 }], next_page_uri: 7 })));
  assert.equal(await dispatch(), 1);
  assert.equal(twilio.requests.length, 1);
  assert.deepEqual(await row('a'), ['sent', 1, 2, null]);
});
