/** The crash tests' own machinery, checked by hand: the verdict's excuses and the replay client's refusals. */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { replayInRealTime } from './scenario.ts';
import { POSTGRES_INGEST_WAIT_MS, verdict, type ExpectedUser } from './verdict.ts';

const T0 = 1_000_000;
// ana: push due at +100, sms at +200. bo: nothing expected (he converted inside the window).
const users: ExpectedUser[] = [
  { userId: 'ana', sends: { push: 100, sms: 200 } },
  { userId: 'bo', sends: {} },
];

test('verdict on SQLite: a send after a conversion the server had stored is unexplained, however close', () => {
  const sent = new Map([
    ['ana/push-free-shipping', T0 + 100],
    ['ana/sms-10-off', T0 + 200],
    ['bo/push-free-shipping', T0 + 101], // bo's conversion was received at T0 + 100: 1 ms before
  ]);
  const received = new Map([['bo', T0 + 100]]);
  assert.deepEqual(verdict(users, sent, received, T0), { missing: [], unexplained: ['bo/push-free-shipping'] });
  // Received in the send's own millisecond, or after it (the server was down): explained.
  assert.deepEqual(verdict(users, sent, new Map([['bo', T0 + 101]]), T0).unexplained, []);
  assert.deepEqual(verdict(users, sent, new Map([['bo', T0 + 5_000]]), T0).unexplained, []);
  // No conversion at all: unexplained.
  assert.deepEqual(verdict(users, sent, new Map(), T0).unexplained, ['bo/push-free-shipping']);
});

test('verdict on PostgreSQL: a send up to 2 s after the conversion was received is explained (a lock wait), not more', () => {
  const sent = new Map([['bo/push-free-shipping', T0 + 3_000]]);
  const noSends: ExpectedUser[] = [{ userId: 'bo', sends: {} }];
  // 3000 - 2000 = 1000: received at 1001 is inside the wait, at 999 outside.
  assert.deepEqual(verdict(noSends, sent, new Map([['bo', T0 + 1_001]]), T0, POSTGRES_INGEST_WAIT_MS).unexplained, []);
  assert.deepEqual(verdict(noSends, sent, new Map([['bo', T0 + 999]]), T0, POSTGRES_INGEST_WAIT_MS).unexplained, ['bo/push-free-shipping']);
});

test('verdict: a missing send is excused only by a conversion that reached the server after it was due (it was down)', () => {
  const sent = new Map([['ana/push-free-shipping', T0 + 100]]);
  assert.deepEqual(verdict(users, sent, new Map(), T0).missing, ['ana/sms-10-off']);
  assert.deepEqual(verdict(users, sent, new Map([['ana', T0 + 250]]), T0).missing, [], 'the sms was due at +200; the conversion arrived at +250, before the server caught up');
  assert.deepEqual(verdict(users, sent, new Map([['ana', T0 + 200]]), T0).missing, ['ana/sms-10-off'], 'received by the time it was due: it should have gone out');
});

test('the replay client fails at once with the status and body when the server answers non-2xx', { timeout: 10_000 }, async () => {
  let calls = 0;
  const server = createServer((request, response) => {
    calls += 1;
    request.resume();
    request.on('end', () => response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"batch/0/userId is required"}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    // Events spread over 60 s: a retrying client would still be running when the test's timeout ends it.
    const events = [0, 60_000].map((at) => ({ at, userId: 'u', event: 'E', properties: {} }));
    await assert.rejects(replayInRealTime(base, 'key', events, Date.now(), 10), { message: '/v1/events: HTTP 400 {"error":"batch/0/userId is required"}' });
    assert.equal(calls, 1, 'not retried');
  } finally {
    server.close();
  }
});
