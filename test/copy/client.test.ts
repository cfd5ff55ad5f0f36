/**
 * The chat-completions client against a fake model server on loopback: a whole answer and a streamed one
 * (assembled from many chunks, ended by [DONE]); the key sent as a Bearer token; each way the provider can
 * fail (a refused key, 429 with Retry-After, 500, a malformed body, a stream cut short) and both timeouts,
 * each a failure with the status Waymark answers, never a throw.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { chatCompletion, chatRequest, fromStream } from '../../src/copy/client.ts';
import type { CopyProviderSettings } from '../../src/copy/settings.ts';
import { fakeModel } from './fake-model.ts';

const messages = [{ role: 'user' as const, content: 'Write a push title' }];
const TEXT = '{"variants":[{"title":"Hi {{ Profile.first_name | default: \\"there\\" }}","body":"Your cart misses you"}]}';

async function call(settings: CopyProviderSettings) {
  return chatCompletion(settings, chatRequest(settings, messages));
}

test('a whole answer and a streamed one give the same text; the key goes as a Bearer token', async () => {
  const model = await fakeModel();
  model.script({ content: TEXT }, { content: TEXT });
  const base = { baseUrl: model.baseUrl, model: 'm1', apiKey: 'sk-test' };
  const whole = await call({ ...base, stream: false });
  const streamed = await call({ ...base, stream: true });
  assert.deepEqual(whole.ok && whole.text, TEXT);
  assert.deepEqual(streamed.ok && streamed.text, TEXT);
  assert.ok(streamed.ok && streamed.raw.includes('data: [DONE]'), 'the raw answer is the event stream');
  assert.deepEqual(model.received.map((r) => [r.authorization, r.body.model, r.body.stream, r.body.messages]), [
    ['Bearer sk-test', 'm1', false, messages],
    ['Bearer sk-test', 'm1', true, messages],
  ]);
});

test('a refused key, a rate limit, a server error and a malformed body are failures with what to do', async () => {
  const model = await fakeModel();
  const base = { baseUrl: model.baseUrl, model: 'm1', apiKey: 'sk-test', stream: false };
  const refused = await call({ ...base, apiKey: 'sk-wrong' });
  assert.equal(refused.ok, false);
  assert.deepEqual(!refused.ok && [refused.failure.kind, refused.failure.status], ['refused', 424]);
  assert.match(!refused.ok ? refused.failure.message : '', /refused the API key \(401: Incorrect API key provided\)/);

  model.script(
    { status: 429, error: 'Rate limit reached', headers: { 'retry-after': '20' } },
    { status: 500, error: 'The server had an error' },
    { raw: '<html>Bad gateway</html>', contentType: 'text/html' },
    { raw: '{"id":"x","choices":[]}', contentType: 'application/json' },
  );
  const limited = await call(base);
  assert.deepEqual(!limited.ok && [limited.failure.kind, limited.failure.status, limited.failure.retryAfter], ['rate_limited', 429, '20']);
  assert.match(!limited.ok ? limited.failure.message : '', /asks to wait 20 s/);
  const failed = await call(base);
  assert.deepEqual(!failed.ok && [failed.failure.kind, failed.failure.status], ['provider_error', 424]);
  assert.match(!failed.ok ? failed.failure.message : '', /failed \(500: The server had an error\)/);
  const html = await call(base);
  assert.deepEqual(!html.ok && [html.failure.kind, html.failure.status], ['malformed', 424]);
  assert.match(!html.ok ? html.failure.message : '', /not JSON: "<html>Bad gateway<\/html>"/);
  assert.equal(!html.ok && html.raw, '<html>Bad gateway</html>', 'the raw answer is kept for the audit log');
  const empty = await call(base);
  assert.match(!empty.ok ? empty.failure.message : '', /without choices\[0\]\.message\.content/);
});

test('a server that cannot be reached is a 424 naming it', async () => {
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const result = await call({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm1' });
  assert.deepEqual(!result.ok && [result.failure.kind, result.failure.status], ['unreachable', 424]);
  assert.match(!result.ok ? result.failure.message : '', new RegExp(`127\\.0\\.0\\.1:${port} cannot be reached \\(ECONNREFUSED\\)`));
});

test('a server that never answers is a 424 after the overall timeout; one that stalls mid-stream after the idle timeout', async () => {
  const model = await fakeModel();
  model.script({ stall: 'before-headers' }, { stall: 'after-first-chunk' });
  const base = { baseUrl: model.baseUrl, model: 'm1', apiKey: 'sk-test' };
  // The idle timeout is longer than the overall one here, so only the overall can end the first call.
  const silent = await call({ ...base, timeoutMs: 200, idleTimeoutMs: 600_000 });
  assert.deepEqual(!silent.ok && [silent.failure.kind, silent.failure.status], ['timeout', 424]);
  assert.match(!silent.ok ? silent.failure.message : '', /did not finish within 200 ms/);
  // And here only the idle one can end it: the overall timeout is ten minutes.
  const stalled = await call({ ...base, timeoutMs: 600_000, idleTimeoutMs: 200 });
  assert.deepEqual(!stalled.ok && [stalled.failure.kind, stalled.failure.status], ['timeout', 424]);
  assert.match(!stalled.ok ? stalled.failure.message : '', /sent nothing for 200 ms/);
});

test('a stream is read by its data lines: comments are skipped, an error event or a missing [DONE] is a failure', () => {
  const chunk = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}`;
  assert.equal(fromStream([': ping', '', chunk('Hel'), '', 'event: message', chunk('lo'), '', 'data: [DONE]', ''].join('\n')), 'Hello');
  assert.equal(fromStream([chunk('Hel'), 'data: [DONE]'].join('\r\n')), 'Hel', 'CRLF line ends');
  assert.deepEqual(fromStream([chunk('Hel'), ''].join('\n')), { kind: 'malformed', message: 'ended its stream without [DONE] after 1 chunks' });
  assert.deepEqual(fromStream(['data: {"error":{"message":"overloaded"}}', ''].join('\n')), { kind: 'provider_error', message: 'stopped with an error: overloaded' });
  assert.deepEqual(fromStream(['data: {not json', ''].join('\n')), { kind: 'malformed', message: 'streamed a chunk that is not JSON: "{not json"' });
});
