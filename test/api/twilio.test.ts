/**
 * SMS and WhatsApp through Twilio end to end over HTTP, on both stores and a virtual clock, against a fake of
 * Twilio's Messages API: settings over the API (secrets never shown, kept when left out, bad ones 400s naming
 * the field); sends; 21610 opts the user out so the next send is skipped; signed status callbacks and
 * inbound STOP / START, with the signatures worked out here from Twilio's documented algorithm, and forged
 * or missing ones refused with nothing changed.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { startDeliveryApi } from './delivery-api.ts';
import { driveUntil, forEachStore, T0, type StoreKind } from '../helpers.ts';
import { path } from '../journeys.ts';
import { fakeTwilio } from '../channels/twilio-server.ts';

const HOUR = 3_600_000;
const ACCOUNT = `AC${'0f'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-very-secret';
const PUBLIC = 'https://waymark.example.com/base';

const journey = path('order', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Ordered' } },
  { id: 'text', kind: 'send', channel: 'sms', message: { body: 'Order {{ Event.order }} is on its way' } },
  { id: 'later', kind: 'delay', duration: '1h' },
  { id: 'again', kind: 'send', channel: 'sms', message: { body: 'How was it?' } },
  { id: 'out', kind: 'exit' },
], { setup: { timezone: 'UTC' } });

async function start(kind: StoreKind) {
  const api = await startDeliveryApi(kind, 'twilio.db');
  /** What Twilio would post: a form, with the signature given (or none). */
  const twilioPost = async (p: string, form: Record<string, string>, signature: string | null) => {
    const response = await fetch(`${api.url}${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
  };
  return { ...api, twilioPost };
}

/** HMAC-SHA1 of the URL then each parameter's name and value, given here already in name order, base64. */
const sign = (token: string, url: string, sortedPairs: Array<[string, string]>) =>
  createHmac('sha1', token).update(url + sortedPairs.map(([k, v]) => `${k}${v}`).join('')).digest('base64');

await forEachStore((kind) => {
  test('sends through Twilio; 21610 opts out and the next send skips; signed status callbacks; inbound STOP and START', async () => {
    const { waymark, clock, call, twilioPost, write, reread } = await start(kind);
    const twilio = await fakeTwilio({ accountSid: ACCOUNT, user: ACCOUNT, password: TOKEN });
    assert.equal((await call('POST', '/v1/journeys', { id: 'order', definition: journey })).status, 201);
    assert.equal((await call('POST', '/v1/journeys/order/publish')).status, 200);
    for (const [userId, phone] of [['ana', '+14155550100'], ['bo', '+14155550101'], ['cy', '+14155550101']]) {
      assert.equal((await call('POST', '/v1/profiles', { userId, traits: { phone } }, write)).status, 200);
    }

    const sms = { provider: 'twilio', accountSid: ACCOUNT, authToken: TOKEN, from: '+15005550006', publicUrl: PUBLIC, baseUrl: twilio.url };
    const put = await call('PUT', '/v1/providers/sms', sms);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.settings.authToken, { set: true });
    assert.equal((await call('PUT', '/v1/providers/whatsapp', { ...sms, from: '+14155238886' })).status, 200);
    // An update without the token keeps it; no answer shows it.
    assert.equal((await call('PUT', '/v1/providers/sms', { ...sms, authToken: undefined })).status, 200);
    const shown = await call('GET', '/v1/providers');
    assert.ok(!shown.text.includes(TOKEN), 'no secret in GET /v1/providers');
    assert.deepEqual(shown.body.providers.filter((p: { provider: string }) => p.provider === 'twilio').map((p: { channel: string }) => p.channel), ['sms', 'whatsapp']);
    assert.equal((await waymark.store.listProviders()).find((p) => p.channel === 'sms')!.config.authToken, TOKEN);
    await reread();

    // Bo replied STOP to the number before: Twilio refuses with 21610.
    twilio.unsubscribed.add('+14155550101');
    await waymark.engine.ingestNow([
      { messageId: 'o1', userId: 'ana', name: 'Ordered', timestamp: T0, properties: { order: 'A1' } },
      { messageId: 'o2', userId: 'bo', name: 'Ordered', timestamp: T0, properties: { order: 'B2' } },
    ]);
    await waymark.engine.dispatch();
    const first = async (userId: string, nodeId: string) => (await waymark.store.listMessages({ limit: 10, userId })).find((m) => m.nodeId === nodeId)!;
    assert.deepEqual([(await first('ana', 'text')).status, (await first('ana', 'text')).provider], ['sent', 'twilio']);
    assert.deepEqual([(await first('bo', 'text')).status, (await first('bo', 'text')).reason], ['failed', 'twilio_21610: Attempt to send to unsubscribed recipient']);
    assert.equal((await waymark.store.getProfile('bo'))!.traits.smsOptOut, true);
    assert.equal(twilio.accepted.length, 1);
    const { sid, form } = twilio.accepted[0]!;
    assert.deepEqual(form, { To: '+14155550100', From: '+15005550006', Body: 'Order A1 is on its way', StatusCallback: `${PUBLIC}/v1/twilio/status` });

    // The status callback: Twilio signs the URL it was given and the sorted parameters.
    const statusUrl = `${PUBLIC}/v1/twilio/status`;
    const delivered: Array<[string, string]> = [['AccountSid', ACCOUNT], ['MessageSid', sid], ['MessageStatus', 'delivered'], ['To', '+14155550100']];
    const form1 = Object.fromEntries([...delivered].reverse()); // sent in another order: the signature sorts
    assert.equal((await twilioPost('/v1/twilio/status', form1, null)).status, 403, 'no signature');
    assert.equal((await twilioPost('/v1/twilio/status', form1, sign('another-token', statusUrl, delivered))).status, 403, 'signed with another token');
    assert.equal((await twilioPost('/v1/twilio/status', form1, sign(TOKEN, 'https://elsewhere.test/v1/twilio/status', delivered))).status, 403, 'signed for another URL');
    assert.equal((await twilioPost('/v1/twilio/status', { ...form1, MessageStatus: 'failed' }, sign(TOKEN, statusUrl, delivered))).status, 403, 'a parameter changed');
    assert.equal((await first('ana', 'text')).status, 'sent', 'nothing changed');
    assert.equal((await twilioPost('/v1/twilio/status', form1, sign(TOKEN, statusUrl, delivered))).status, 204);
    assert.equal((await first('ana', 'text')).status, 'delivered');

    // An hour later: Bo's next SMS is skipped (opted out); Ana's goes, then is reported undelivered.
    await driveUntil(waymark, clock, T0 + HOUR);
    assert.deepEqual([(await first('bo', 'again')).status, (await first('bo', 'again')).reason], ['skipped', 'unsubscribed']);
    assert.equal((await first('ana', 'again')).status, 'sent');
    assert.equal(twilio.accepted.length, 2);
    const undelivered: Array<[string, string]> = [['AccountSid', ACCOUNT], ['ErrorCode', '30003'], ['MessageSid', twilio.accepted[1]!.sid], ['MessageStatus', 'undelivered']];
    assert.equal((await twilioPost('/v1/twilio/status', Object.fromEntries(undelivered), sign(TOKEN, statusUrl, undelivered))).status, 204);
    assert.deepEqual([(await first('ana', 'again')).status, (await first('ana', 'again')).reason], ['failed', 'twilio_undelivered: 30003']);

    // Inbound: START from Bo's number opts back in every profile with it; a forged STOP changes nothing.
    const inboundUrl = `${PUBLIC}/v1/twilio/inbound`;
    const start_: Array<[string, string]> = [['AccountSid', ACCOUNT], ['Body', 'Start'], ['From', '+14155550101'], ['MessageSid', 'SM1'], ['To', '+15005550006']];
    const started = await twilioPost('/v1/twilio/inbound', Object.fromEntries(start_), sign(TOKEN, inboundUrl, start_));
    assert.deepEqual([started.status, started.type, started.text], [200, 'text/xml; charset=utf-8', '<?xml version="1.0" encoding="UTF-8"?><Response></Response>']);
    assert.deepEqual([(await waymark.store.getProfile('bo'))!.traits.smsOptOut, (await waymark.store.getProfile('cy'))!.traits.smsOptOut], [false, false]);
    const stop: Array<[string, string]> = [['AccountSid', ACCOUNT], ['Body', ' STOP '], ['From', '+14155550101'], ['MessageSid', 'SM2'], ['To', '+15005550006']];
    assert.equal((await twilioPost('/v1/twilio/inbound', Object.fromEntries(stop), sign('forged', inboundUrl, stop))).status, 403);
    assert.equal((await twilioPost('/v1/twilio/inbound', Object.fromEntries(stop), null)).status, 403);
    assert.equal((await waymark.store.getProfile('bo'))!.traits.smsOptOut, false, 'the forged STOP changed nothing');
    assert.equal((await twilioPost('/v1/twilio/inbound', Object.fromEntries(stop), sign(TOKEN, inboundUrl, stop))).status, 200);
    assert.deepEqual([(await waymark.store.getProfile('bo'))!.traits.smsOptOut, (await waymark.store.getProfile('cy'))!.traits.smsOptOut], [true, true]);
    // WhatsApp's STOP opts out of WhatsApp only; a message that is not a keyword changes nothing.
    const wa: Array<[string, string]> = [['AccountSid', ACCOUNT], ['Body', 'unsubscribe'], ['From', 'whatsapp:+14155550100'], ['MessageSid', 'SM3'], ['To', 'whatsapp:+14155238886']];
    assert.equal((await twilioPost('/v1/twilio/inbound', Object.fromEntries(wa), sign(TOKEN, inboundUrl, wa))).status, 200);
    const chat: Array<[string, string]> = [['AccountSid', ACCOUNT], ['Body', 'please stop sending'], ['From', '+14155550100'], ['MessageSid', 'SM4'], ['To', '+15005550006']];
    assert.equal((await twilioPost('/v1/twilio/inbound', Object.fromEntries(chat), sign(TOKEN, inboundUrl, chat))).status, 200);
    assert.deepEqual((await waymark.store.getProfile('ana'))!.traits, { phone: '+14155550100', whatsappOptOut: true });
  });

  test('with a public URL, each link of a text goes out as a short link: it redirects to the link and counts a click', async () => {
    const { waymark, call, url, write, reread } = await start(kind);
    const twilio = await fakeTwilio({ accountSid: ACCOUNT, user: ACCOUNT, password: TOKEN });
    const definition = structuredClone(journey);
    (definition.nodes[1] as { message: { body: string } }).message.body = 'Track {{ Event.order }}: https://shop.example/orders/{{ Event.order }}?ref=sms';
    assert.equal((await call('POST', '/v1/journeys', { id: 'order', definition })).status, 201);
    assert.equal((await call('POST', '/v1/journeys/order/publish')).status, 200);
    assert.equal((await call('POST', '/v1/profiles', { userId: 'ana', traits: { phone: '+14155550100' } }, write)).status, 200);
    const sms = { provider: 'twilio', accountSid: ACCOUNT, authToken: TOKEN, from: '+15005550006', publicUrl: PUBLIC, baseUrl: twilio.url };
    assert.equal((await call('PUT', '/v1/providers/sms', sms)).status, 200);
    await reread();
    await waymark.engine.ingestNow([{ messageId: 'o1', userId: 'ana', name: 'Ordered', timestamp: T0, properties: { order: 'A1' } }]);
    await waymark.engine.dispatch();
    const body = twilio.accepted[0]!.form.Body!;
    const short = new RegExp(`^Track A1: ${PUBLIC.replace(/[.]/g, '\\.')}/s/([A-Za-z0-9_-]{12})$`).exec(body);
    assert.ok(short, body);
    const text = (await waymark.store.listMessages({ limit: 10, userId: 'ana' })).find((m) => m.nodeId === 'text')!;
    assert.equal(text.content?.body, 'Track A1: https://shop.example/orders/A1?ref=sms', 'the message log keeps the text as rendered');
    const followed = await fetch(`${url}/s/${short[1]}`, { redirect: 'manual' });
    assert.deepEqual([followed.status, followed.headers.get('location')], [302, 'https://shop.example/orders/A1?ref=sms']);
    const clicked = (await waymark.store.listMessages({ limit: 10, userId: 'ana' })).find((m) => m.nodeId === 'text')!;
    assert.equal(typeof clicked.clickedAt, 'number');
    assert.equal((await fetch(`${url}/s/AAAAAAAAAAAA`, { redirect: 'manual' })).status, 404);
  });

  test('bad Twilio settings are 400s naming the field; the inbox takes no provider', async () => {
    const { call } = await start(kind);
    const base = { provider: 'twilio', accountSid: ACCOUNT, authToken: TOKEN, from: '+15005550006' };
    const problem = async (channel: string, body: unknown) => {
      const r = await call('PUT', `/v1/providers/${channel}`, body);
      assert.equal(r.status, 400, r.text);
      return r.body.problems.map((p: { path: string }) => p.path);
    };
    assert.deepEqual(await problem('sms', { ...base, accountSid: 'AC123' }), ['/accountSid']);
    assert.deepEqual(await problem('sms', { ...base, authToken: undefined }), ['/authToken']);
    assert.deepEqual(await problem('sms', { ...base, authToken: undefined, apiKeySid: `SK${'1'.repeat(32)}` }), ['/apiKeySecret']);
    assert.deepEqual(await problem('sms', { ...base, apiKeySid: 'SK1', apiKeySecret: 's' }), ['/apiKeySid']);
    assert.deepEqual(await problem('whatsapp', { ...base, from: '4155550100' }), ['/from']);
    assert.deepEqual(await problem('whatsapp', { ...base, from: undefined }), ['/from']);
    assert.deepEqual(await problem('sms', { ...base, messagingServiceSid: `MG${'2'.repeat(32)}` }), ['/messagingServiceSid']);
    assert.deepEqual(await problem('sms', { ...base, publicUrl: 'waymark.example.com' }), ['/publicUrl']);
    assert.deepEqual(await problem('sms', { ...base, baseUrl: 'ftp://api.twilio.com' }), ['/baseUrl']);
    assert.deepEqual(await problem('email', base), ['/provider']);
    assert.deepEqual(await problem('inbox', base), ['/provider']);
    assert.match((await call('PUT', '/v1/providers/inbox', base)).text, /inbox needs no provider/);
  });
});
