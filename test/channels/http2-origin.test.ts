/**
 * The HTTP/2 client FCM and APNs send through (src/channels/http2-origin.ts), against Node's own HTTP/2 server
 * on loopback: connections opened only as the provider's stream limit needs them, thousands of requests on
 * one connection with none of them failed by it, a connection that goes away, a timeout, a bounded read.
 */
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { Http2Origin } from '../../src/channels/http2-origin.ts';

/**
 * Listens on a loopback port for the test; at its end destroys the connections (or HTTP/2 sessions) `open`
 * still holds, and closes. The provider's URL.
 */
async function listenForTest(server: net.Server, open: Set<{ destroy(): void }>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => {
    for (const connection of open) connection.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A provider that takes `streams` requests at once a connection and answers each when the test says. */
async function provider(streams: number) {
  const server = http2.createServer({ settings: { maxConcurrentStreams: streams } });
  const sessions = new Set<http2.ServerHttp2Session>();
  const open = new Map<http2.Http2Session, number>();
  let mostOnOne = 0;
  const waiting: Array<() => void> = [];
  let hold = false;
  const resets: number[] = [];
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream) => {
    const session = stream.session!;
    open.set(session, (open.get(session) ?? 0) + 1);
    mostOnOne = Math.max(mostOnOne, open.get(session)!);
    stream.on('close', () => {
      open.set(session, open.get(session)! - 1);
      if (stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) resets.push(stream.rstCode);
    });
    stream.on('error', () => {});
    let body = '';
    stream.on('data', (c) => (body += c));
    stream.on('end', () => {
      const answer = () => {
        if (stream.destroyed) return;
        stream.respond({ ':status': 200 });
        stream.end(body === 'big' ? 'x'.repeat(100_000) : `got ${body}`);
      };
      if (hold) waiting.push(answer);
      else answer();
    });
  });
  const origin = await listenForTest(server, sessions);
  return {
    origin,
    sessions: () => sessions.size,
    mostOnOne: () => mostOnOne,
    resets,
    hold: (on: boolean) => {
      hold = on;
      if (!on) for (const answer of waiting.splice(0)) answer();
    },
    held: () => waiting.length,
    goAway: () => {
      for (const s of sessions) s.goaway(http2.constants.NGHTTP2_NO_ERROR);
    },
    destroyAll: () => {
      for (const s of sessions) s.destroy();
    },
  };
}

const post = (origin: Http2Origin, body: string, timeoutMs = 10_000, maxBytes = 1_000) =>
  origin.request({ headers: { ':method': 'POST', ':path': '/send' }, body, timeoutMs, maxBytes });

/** Resolves once `check` holds: asked again each time a little later (a ceiling for a loaded machine, not a timing expectation). */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10 + i));
  }
  assert.fail(`never: ${what}`);
}

test('a second connection only when the first carries all the streams the provider allows', async () => {
  const p = await provider(3);
  const origin = new Http2Origin(p.origin);
  after(() => origin.close());
  assert.equal((await post(origin, 'warm')).ok, true); // the provider's SETTINGS have come: 3 streams a connection
  p.hold(true);
  const answers = Array.from({ length: 7 }, (_, i) => post(origin, `m${i}`));
  await until('the provider has all seven', () => p.held() === 7);
  assert.equal(origin.open, 3, 'seven requests at three a connection: three connections');
  assert.equal(p.mostOnOne(), 3, 'never more streams on a connection than the provider allows');
  p.hold(false);
  assert.deepEqual((await Promise.all(answers)).map((a) => (a.ok ? a.body : a.error)), Array.from({ length: 7 }, (_, i) => `got m${i}`));
  assert.equal((await post(origin, 'again')).ok, true);
  assert.equal(origin.open, 3, 'idle connections are kept for the next requests');
});

test('thousands of requests on one connection: none reset, none failed by the connection', async () => {
  // Each answer ended cleanly needs no reset. A client that reset every stream after its answer had Node's
  // server end the connection (INTERNAL_ERROR, its guard against rapid resets) after about a thousand, failing
  // every request on it: 1,465 of 20,000 in a bench run.
  const p = await provider(100);
  const origin = new Http2Origin(p.origin);
  after(() => origin.close());
  const failed: string[] = [];
  await Promise.all(
    Array.from({ length: 50 }, async (_, worker) => {
      for (let i = 0; i < 60; i++) {
        const a = await post(origin, `${worker}-${i}`);
        if (!a.ok || a.body !== `got ${worker}-${i}`) failed.push(a.ok ? a.body : a.error);
      }
    }),
  );
  assert.deepEqual(failed, []);
  assert.deepEqual(p.resets, [], 'no stream reset');
  assert.equal(origin.open, 1);
  assert.equal(p.sessions(), 1, 'one connection for all 3,000');
});

test('a connection that goes away: what it dropped unanswered is refused (safe to send again), the next request opens another', async () => {
  const p = await provider(100);
  const origin = new Http2Origin(p.origin);
  after(() => origin.close());
  assert.equal((await post(origin, 'first')).ok, true);
  p.hold(true);
  const inFlight = post(origin, 'held');
  await until('the provider has it', () => p.held() === 1);
  p.goAway();
  // GOAWAY with the held stream's id as the last one processed: the provider keeps it and answers it.
  p.hold(false);
  const held = await inFlight;
  assert.equal(held.ok && held.body, 'got held', 'a request the provider took before its GOAWAY is answered');
  await until('the client forgot the connection', () => origin.open === 0);
  const next = await post(origin, 'next');
  assert.equal(next.ok && next.body, 'got next');
  assert.equal(origin.open, 1);
});

test('a request on a connection that ends before any answer is refused; one the provider answers late times out and is reset', async () => {
  const p = await provider(100);
  const origin = new Http2Origin(p.origin);
  after(() => origin.close());
  p.hold(true);
  const slow = post(origin, 'slow', 200);
  await until('the provider has it', () => p.held() === 1);
  assert.deepEqual(await slow, { ok: false, error: 'timeout', refused: false }, 'a timeout is not refused: the provider may have acted on it');
  await until('the provider saw the reset', () => p.resets.length === 1);
  assert.equal(p.resets[0], http2.constants.NGHTTP2_CANCEL);

  const dropped = post(origin, 'dropped');
  await until('the provider has it', () => p.held() === 2);
  p.destroyAll(); // the connection ends with the request taken and unanswered
  const answer = await dropped;
  assert.ok(!answer.ok && answer.refused && answer.error.startsWith('connection_failed'), JSON.stringify(answer));
  await until('the client forgot the connection', () => origin.open === 0);
});

test('an answer is read only up to maxBytes', async () => {
  const p = await provider(100);
  const origin = new Http2Origin(p.origin);
  after(() => origin.close());
  const a = await post(origin, 'big', 10_000, 10);
  assert.equal(a.ok && a.body, 'xxxxxxxxxx');
});

test('a provider that takes the connection and never speaks HTTP/2: each request times out, and the connection is given up', async () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => {}); // read and never answer, not even SETTINGS
    socket.on('close', () => sockets.delete(socket));
  });
  const origin = new Http2Origin(await listenForTest(silent, sockets));
  after(() => origin.close());
  const answers = await Promise.all([post(origin, 'a', 200), post(origin, 'b', 200)]);
  assert.deepEqual(answers, [{ ok: false, error: 'timeout', refused: false }, { ok: false, error: 'timeout', refused: false }]);
  await until('the silent connection is closed', () => sockets.size === 0 && origin.open === 0);
});

test('requestResendingRefused: a request its connection dropped unanswered goes once more, on a new connection; a second refusal is the answer', async () => {
  // Ends the connection under the first `drops` requests it takes, unanswered; answers the others.
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  let drops = 1;
  let taken = 0;
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream) => {
    stream.on('error', () => {});
    taken += 1;
    if (drops > 0) {
      drops -= 1;
      stream.session!.destroy();
      return;
    }
    stream.respond({ ':status': 200 });
    stream.end('answered');
  });
  const origin = new Http2Origin(await listenForTest(server, sessions));
  after(() => origin.close());
  const request = { headers: { ':method': 'POST', ':path': '/send' }, body: 'x', timeoutMs: 10_000, maxBytes: 100 };
  const once = await origin.requestResendingRefused(request);
  assert.equal(once.ok && once.body, 'answered');
  assert.equal(taken, 2, 'the provider took it twice: once dropped, once answered');
  drops = 2;
  const twice = await origin.requestResendingRefused(request);
  assert.ok(!twice.ok && twice.refused, JSON.stringify(twice));
  assert.equal(taken, 4, 'sent twice, not more');
});
