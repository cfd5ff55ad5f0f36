/**
 * The copy assistant over HTTP, on both stores, with a fake chat-completions server on loopback as the
 * model: off until a model is set (409 saying how); the key write-only; variants checked, repaired once or
 * dropped with the reasons; the provider's failures as 429 (Retry-After passed on) and 424 saying what went wrong, never a 5xx; every call
 * in the audit log, newest first, without the key.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { fakeModel } from '../copy/fake-model.ts';
import { startApi } from './helpers.ts';

const KEY = 'sk-test';
const variants = (...list: Array<Record<string, string>>) => JSON.stringify({ variants: list });

await forEachStore((kind) => {
  async function setUp() {
    const api = await startApi({ store: kind });
    const model = await fakeModel({ key: KEY });
    // Three profiles, one without first_name (so it is optional); two carts, one without a coupon.
    const profiles = await api.call('POST', '/v1/profiles', {
      body: { batch: [{ userId: 'u1', traits: { first_name: 'Ada', plan: 'pro' } }, { userId: 'u2', traits: { first_name: 'Bo', plan: 'free' } }, { userId: 'u3', traits: { plan: 'free' } }] },
    });
    assert.equal(profiles.status, 200, JSON.stringify(profiles.body));
    const events = await api.call('POST', '/v1/events', {
      body: { batch: [{ userId: 'u1', event: 'Added to Cart', properties: { product: 'Lamp', coupon: 'SAVE10' } }, { userId: 'u2', event: 'Added to Cart', properties: { product: 'Desk' } }] },
    });
    assert.equal(events.status, 200, JSON.stringify(events.body));
    return { api, model };
  }
  const configure = (api: Awaited<ReturnType<typeof setUp>>['api'], baseUrl: string, extra: Record<string, unknown> = {}) =>
    api.call('PUT', '/v1/copy/provider', { body: { baseUrl, model: 'test-model', apiKey: KEY, ...extra } });
  const suggest = { channel: 'push', n: 3, tone: 'playful', language: 'German', goal: 'Order Completed', event: 'Added to Cart' };

  test('with no model set, a suggestion is a 409 saying how to set one, and the rest of the API is unchanged', async () => {
    const { api } = await setUp();
    assert.deepEqual((await api.call('GET', '/v1/copy/provider')).body, { configured: false, settings: {}, updatedAt: null });
    const answer = await api.call('POST', '/v1/copy/suggest', { body: suggest });
    assert.equal(answer.status, 409);
    assert.match(answer.body.message, /PUT \/v1\/copy\/provider .*Settings → Copy assistant/);
    assert.equal((await api.call('GET', '/v1/journeys')).status, 200);
    assert.equal((await api.call('DELETE', '/v1/copy/provider')).status, 404);
    assert.equal((await api.call('POST', '/v1/copy/suggest', { key: api.write, body: suggest })).status, 403, 'admin only');
  });

  test('the settings are checked field by field and the key is never returned, kept when an update leaves it out', async () => {
    const { api, model } = await setUp();
    const bad = await api.call('PUT', '/v1/copy/provider', { body: { baseUrl: 'ftp://x', model: 'm' } });
    assert.deepEqual([bad.status, bad.body.problems], [400, [{ path: '/baseUrl', message: 'must be an http(s) URL, e.g. https://api.openai.com/v1 or http://localhost:11434/v1' }]]);
    const noModel = await api.call('PUT', '/v1/copy/provider', { body: { baseUrl: model.baseUrl } });
    assert.equal(noModel.status, 400);
    assert.deepEqual(noModel.body.problems.map((p: { path: string }) => p.path), ['/model']);
    const withPath = await api.call('PUT', '/v1/copy/provider', { body: { baseUrl: `${model.baseUrl}/chat/completions`, model: 'm' } });
    assert.deepEqual(withPath.body.problems.map((p: { path: string }) => p.path), ['/baseUrl']);

    const set = await configure(api, `${model.baseUrl}/`);
    assert.equal(set.status, 200);
    assert.deepEqual(set.body.settings, { apiKey: { set: true }, baseUrl: model.baseUrl, model: 'test-model' }, 'the trailing slash dropped');
    const again = await api.call('PUT', '/v1/copy/provider', { body: { baseUrl: model.baseUrl, model: 'other-model', stream: false } });
    assert.deepEqual(again.body.settings, { apiKey: { set: true }, baseUrl: model.baseUrl, model: 'other-model', stream: false });
    const read = await api.call('GET', '/v1/copy/provider');
    assert.deepEqual([read.body.configured, read.body.settings.apiKey], [true, { set: true }]);
    assert.ok(!JSON.stringify([set.body, again.body, read.body]).includes(KEY));

    model.script({ content: variants({ title: 'Hallo', body: 'Dein Warenkorb wartet' }) });
    const answer = await api.call('POST', '/v1/copy/suggest', { body: { ...suggest, n: 1 } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual([model.received[0]!.authorization, model.received[0]!.body.model, model.received[0]!.body.stream], [`Bearer ${KEY}`, 'other-model', false], 'the key kept');
    assert.equal((await api.call('DELETE', '/v1/copy/provider')).status, 200);
    assert.equal((await api.call('POST', '/v1/copy/suggest', { body: suggest })).status, 409);
  });

  test('valid variants are returned as they came; the model is told the names seen (never their values), the tone and the language', async () => {
    const { api, model } = await setUp();
    await configure(api, model.baseUrl);
    const good = [
      { title: 'Hey {{ Profile.first_name | default: "du" }}!', body: '{{ Event.product }} wartet im Warenkorb.' },
      { title: 'Noch da?', body: 'Dein {{ Event.product }} vermisst dich.' },
      { title: 'Nur für {{ Profile.plan }}', body: 'Code {{ Event.coupon | default: "WILLKOMMEN" }} einlösen.' },
    ];
    model.script({ content: variants(...good) });
    const answer = await api.call('POST', '/v1/copy/suggest', { body: suggest });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.variants, good.map((content) => ({ content, repaired: false })));
    assert.deepEqual(answer.body.dropped, []);
    assert.equal(answer.body.model, 'test-model');
    const sent = model.received[0]!.body;
    assert.equal(sent.stream, true, 'streamed by default');
    const prompt = sent.messages.map((m) => m.content).join('\n');
    for (const line of ['- Profile.first_name (string, optional)', '- Profile.plan (string)', '- Event.product (string)', '- Event.coupon (string, optional)', 'Tone: playful.', 'Language: German.', "The journey's goal: Order Completed.", 'Write 3 distinct variants']) {
      assert.ok(prompt.includes(line), `the prompt says ${line}`);
    }
    for (const value of ['Ada', 'SAVE10', 'Lamp', 'u1']) assert.ok(!prompt.includes(value), `the prompt holds no value (${value})`);
  });

  test('variants that fail a check go back once: those fixed are kept, those still failing are dropped with the reasons', async () => {
    const { api, model } = await setUp();
    await configure(api, model.baseUrl);
    const valid = { title: 'Noch da?', body: 'Dein {{ Event.product }} wartet.' };
    const brokenLiquid = { title: 'Hi {{ Profile.first_name | default: "du" ', body: 'x' };
    const tooLong = { title: `Hallo ${'a'.repeat(54)}`, body: 'y' }; // 60 characters
    const unknownTrait = { title: 'Hi {{ Profile.nickname }}', body: 'z' };
    model.script(
      { content: variants(valid, brokenLiquid, tooLong, unknownTrait) },
      { content: variants({ title: 'Hi {{ Profile.first_name | default: "du" }}', body: 'x' }, tooLong, { title: 'Hi {{ Profile.Identity }}', body: 'z' }) },
    );
    const answer = await api.call('POST', '/v1/copy/suggest', { body: { ...suggest, n: 4 } });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.variants, [
      { content: valid, repaired: false },
      { content: { title: 'Hi {{ Profile.first_name | default: "du" }}', body: 'x' }, repaired: true },
      { content: { title: 'Hi {{ Profile.Identity }}', body: 'z' }, repaired: true },
    ]);
    assert.deepEqual(answer.body.dropped, [{ content: tooLong, problems: [{ field: 'title', message: 'is 60 characters once rendered; at most 50' }] }]);
    const repair = model.received[1]!.body.messages.at(-1)!.content;
    assert.match(repair, /1\. .*\n {3}- title: template does not parse/);
    assert.match(repair, /2\. .*\n {3}- title: is 60 characters once rendered; at most 50/);
    assert.match(repair, /3\. .*\n {3}- title: Profile\.nickname is not a known name \(no profile has had this trait\)/);
  });

  test('when the repair round fails, the variants that passed are kept and the others dropped with why', async () => {
    const { api, model } = await setUp();
    await configure(api, model.baseUrl, { stream: false });
    model.script({ content: variants({ title: 'Ok', body: 'ok' }, { title: '{{ Event.price }}', body: 'x' }) }, { status: 503, error: 'overloaded' });
    const answer = await api.call('POST', '/v1/copy/suggest', { body: { ...suggest, n: 2 } });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.variants, [{ content: { title: 'Ok', body: 'ok' }, repaired: false }]);
    assert.deepEqual(answer.body.dropped[0].problems.map((p: { message: string }) => p.message), [
      'Event.price is not a known name (no "Added to Cart" event has had this property)',
      `not repaired: the model at ${new URL(model.baseUrl).host} failed (503: overloaded); try again later`,
    ]);
  });

  test("the provider's failures are clear answers, never a 5xx: refused key 424, 429 with Retry-After, 500 424, malformed 424, stall 424; all in the audit log without the key", async () => {
    const { api, model } = await setUp();
    await configure(api, model.baseUrl, { apiKey: 'sk-wrong', timeoutMs: 300, idleTimeoutMs: 300 });
    const refused = await api.call('POST', '/v1/copy/suggest', { body: suggest });
    assert.deepEqual([refused.status, refused.body.error], [424, 'Failed Dependency']);
    assert.match(refused.body.message, /refused the API key \(401: Incorrect API key provided\): set a valid key/);

    await configure(api, model.baseUrl, { timeoutMs: 300, idleTimeoutMs: 300 });
    model.script(
      { status: 429, error: 'Rate limit reached for requests', headers: { 'retry-after': '7' } },
      { status: 500, error: 'boom' },
      { raw: 'data: {"choices":[{"delta":{"content":"{\\"vari"}}]}\n\n', contentType: 'text/event-stream' },
      { content: 'I cannot help with that.' },
      { stall: 'before-headers' },
    );
    const address = `http://127.0.0.1:${new URL(model.baseUrl).port}`;
    const limited = await fetch(`${api.url}/v1/copy/suggest`, { method: 'POST', headers: { authorization: `Bearer ${api.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(suggest) });
    assert.deepEqual([limited.status, limited.headers.get('retry-after')], [429, '7']);
    assert.match(((await limited.json()) as { message: string }).message, /rate limiting these requests \(Rate limit reached for requests\); it asks to wait 7 s/);
    const failed = await api.call('POST', '/v1/copy/suggest', { body: suggest });
    assert.deepEqual([failed.status, failed.body.message], [424, `the model at ${address.slice(7)} failed (500: boom); try again later`]);
    const cut = await api.call('POST', '/v1/copy/suggest', { body: suggest });
    assert.deepEqual([cut.status, cut.body.message], [424, `the model at ${address.slice(7)} ended its stream without [DONE] after 1 chunks`]);
    const prose = await api.call('POST', '/v1/copy/suggest', { body: suggest });
    assert.deepEqual([prose.status, prose.body.message], [424, 'the model\'s answer is not the JSON asked for: no JSON object in "I cannot help with that."']);
    const stalled = await api.call('POST', '/v1/copy/suggest', { body: suggest });
    assert.equal(stalled.status, 424);
    assert.match(stalled.body.message, /sent nothing for 300 ms|did not finish within 300 ms/);

    const log = await api.call('GET', '/v1/copy/log?limit=4');
    assert.equal(log.status, 200);
    assert.deepEqual(log.body.entries.map((e: { outcome: string }) => e.outcome), ['timeout', 'malformed', 'malformed', 'provider_error']);
    const rest = await api.call('GET', `/v1/copy/log?limit=4&cursor=${log.body.nextCursor}`);
    assert.deepEqual([rest.body.entries.map((e: { outcome: string }) => e.outcome), rest.body.nextCursor], [['rate_limited', 'refused'], null]);
    assert.equal(model.received.length, 5, 'the refused call never got past the key check');
    const entry = log.body.entries[1];
    assert.deepEqual(Object.keys(entry.request).sort(), ['messages', 'model', 'stream', 'temperature']);
    assert.ok(entry.response.includes('"content":"I canno"') && entry.response.endsWith('data: [DONE]\n\n'), 'the raw stream is kept');
    assert.match(entry.detail, /no JSON object in "I cannot help with that\."/);
    const logged = JSON.stringify([log.body, rest.body]);
    assert.ok(!logged.includes(KEY) && !logged.includes('sk-wrong'), 'no key in the log');
    assert.equal((await api.call('GET', '/v1/copy/log?cursor=nope')).status, 400);
  });

  test('a webhook is not copy for people: 400 naming the channel', async () => {
    const { api, model } = await setUp();
    await configure(api, model.baseUrl);
    const answer = await api.call('POST', '/v1/copy/suggest', { body: { ...suggest, channel: 'webhook' } });
    assert.deepEqual([answer.status, answer.body.problems?.[0]?.path], [400, '/channel']);
  });
});
