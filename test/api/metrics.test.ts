/**
 * GET /metrics over real HTTP, on both stores and with the engine in its own thread: the answer is
 * Prometheus text line by line, the figures move with real traffic (worked out by hand below), and only the
 * metrics token or the admin key may read it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openThreadedWaymark } from '../../src/app/waymark.ts';
import { ensureApiKeys } from '../../src/api/keys.ts';
import { buildServer } from '../../src/api/server.ts';
import { VirtualClock } from '../../src/core/clock.ts';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { forEachStore, T0, tempDir } from '../helpers.ts';
import { path } from '../journeys.ts';
import { startApi } from './helpers.ts';

const TOKEN = 'scrape-token-0123456789';
const HOUR = 3_600_000;

/** Signed Up: a push at once (the built-in outbox sends it in the unit of work), an hour's delay, out. */
const welcome: JourneyDefinition = path('welcome', [
  { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
  { id: 'push', kind: 'send', channel: 'push', message: { title: 'Hi', body: 'Welcome' } },
  { id: 'wait', kind: 'delay', duration: '1h' },
  { id: 'out', kind: 'exit' },
] as JourneyDefinition['nodes']);

const HELP = /^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/;
const TYPE = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*"(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")*)?\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

/** Parses the exposition strictly: every line is HELP, TYPE or a sample of the family last typed. Returns name{labels} -> value. */
function parse(text: string): Map<string, number> {
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  const values = new Map<string, number>();
  let family: string | null = null;
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('# HELP')) {
      assert.match(line, HELP);
      continue;
    }
    const typed = TYPE.exec(line);
    if (typed) {
      family = typed[1]!;
      continue;
    }
    const sample = SAMPLE.exec(line);
    assert.ok(sample, `not a Prometheus line: ${JSON.stringify(line)}`);
    assert.equal(sample[1], family, `${line} follows the TYPE of its family`);
    values.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[sample.length - 1]));
  }
  return values;
}

async function scrape(url: string, key: string | null): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${url}/metrics`, { headers: key === null ? {} : { authorization: `Bearer ${key}` } });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

await forEachStore((store) => {
  test('GET /metrics: Prometheus text whose figures follow the traffic; only the metrics token or the admin key', async () => {
    const clock = new VirtualClock(T0);
    const api = await startApi({ store, clock, metricsToken: TOKEN });

    for (const [key, why] of [[null, 'no token'], ['wrong-token', 'a wrong token'], [api.write, 'the write key']] as const) {
      const refused = await scrape(api.url, key);
      assert.equal(refused.status, 401, why);
    }
    const first = await scrape(api.url, TOKEN);
    assert.equal(first.status, 200);
    assert.match(first.type ?? '', /^text\/plain; version=0\.0\.4/);
    const before = parse(first.text);
    assert.equal(before.get('waymark_events_received_total{project="default"}'), 0);
    assert.equal(before.get('waymark_timers_due{project="default"}'), 0);
    assert.equal(before.get('waymark_engine_lag_seconds{project="default"}'), 0);
    assert.ok(before.get('process_resident_memory_bytes')! > 0);

    assert.equal((await api.call('POST', '/v1/journeys', { body: { id: 'welcome', definition: welcome } })).status, 201);
    assert.equal((await api.call('POST', '/v1/journeys/welcome/publish')).status, 200);
    const profiles = { batch: ['ana', 'bo'].map((userId) => ({ userId, traits: { pushToken: `tok-${userId}` } })) };
    assert.equal((await api.call('POST', '/v1/profiles', { key: api.write, body: profiles })).status, 200);
    const signUp = (userId: string) => ({ userId, event: 'Signed Up', messageId: `signup-${userId}` });
    assert.deepEqual((await api.call('POST', '/v1/events', { key: api.write, body: { batch: [signUp('ana'), signUp('bo')] } })).body, { accepted: 2, duplicates: 0 });
    assert.deepEqual((await api.call('POST', '/v1/events', { key: api.write, body: signUp('ana') })).body, { accepted: 0, duplicates: 1 });
    const bad = await api.call('POST', '/v1/events', { key: api.write, body: { batch: [signUp('cy'), { userId: 'dee' }, signUp('eve')] } });
    assert.equal(bad.status, 400, 'an event without a name refuses its batch');

    // 90 s past both users' one-hour delay, nothing fired yet (the virtual clock fires only when told).
    clock.set(T0 + HOUR + 90_000);
    const during = parse((await scrape(api.url, api.admin)).text);
    // Received: 2 + 1 + the refused batch's 3; accepted 2, one duplicate, 3 rejected.
    assert.equal(during.get('waymark_events_received_total{project="default"}'), 6);
    assert.equal(during.get('waymark_events_accepted_total{project="default"}'), 2);
    assert.equal(during.get('waymark_events_duplicate_total{project="default"}'), 1);
    assert.equal(during.get('waymark_events_rejected_total{project="default"}'), 3);
    assert.equal(during.get('waymark_messages_total{project="default",channel="push",status="sent"}'), 2, 'the outbox sent both pushes in the unit of work');
    assert.equal(during.get('waymark_timers_due{project="default"}'), 2);
    assert.equal(during.get('waymark_engine_lag_seconds{project="default"}'), 90);
    assert.equal(during.get('waymark_timers_fired_total{project="default"}'), 0);
    assert.equal(during.get('waymark_http_requests_total{route="/v1/events",method="POST",status="2xx"}'), 2);
    assert.equal(during.get('waymark_http_requests_total{route="/v1/events",method="POST",status="4xx"}'), 1);
    assert.equal(during.get('waymark_http_requests_total{route="/metrics",method="GET",status="4xx"}'), 3, 'the three refused scrapes');

    // Another project's traffic is its own series; the default project's figures do not move.
    const made = await api.call('POST', '/v1/projects', { body: { id: 'shop-b', name: 'Shop B' } });
    assert.equal(made.status, 201);
    assert.equal((await api.call('POST', '/v1/events', { key: made.body.keys.write, body: { batch: [signUp('x'), signUp('y'), signUp('z')] } })).status, 200);
    const two = parse((await scrape(api.url, TOKEN)).text);
    assert.equal(two.get('waymark_events_accepted_total{project="shop-b"}'), 3);
    assert.equal(two.get('waymark_events_accepted_total{project="default"}'), 2);
    assert.equal(two.get('waymark_timers_due{project="shop-b"}'), 0);

    await api.runUntil(T0 + HOUR + 90_000);
    const afterwards = parse((await scrape(api.url, TOKEN)).text);
    assert.equal(afterwards.get('waymark_timers_due{project="default"}'), 0);
    assert.equal(afterwards.get('waymark_engine_lag_seconds{project="default"}'), 0);
    assert.equal(afterwards.get('waymark_timers_fired_total{project="default"}'), 2);
  });
});

test("GET /metrics with the engine in its own thread: the engine's counters cross to the thread that serves HTTP", async () => {
  const waymark = await openThreadedWaymark({ file: join(tempDir('waymark-metrics-'), 'waymark.db'), onFatal: (error) => assert.fail(error) });
  const keys = await ensureApiKeys(waymark.store);
  const server = await buildServer(waymark);
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  after(async () => {
    await server.close();
    await waymark.close();
  });
  const call = (method: string, route: string, body: unknown, key = keys.admin!) =>
    fetch(`${url}${route}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await call('POST', '/v1/journeys', { id: 'welcome', definition: welcome })).status, 201);
  assert.equal((await call('POST', '/v1/journeys/welcome/publish', {})).status, 200);
  assert.equal((await call('POST', '/v1/profiles', { userId: 'ana', traits: { pushToken: 'tok' } }, keys.write!)).status, 200);
  assert.equal((await call('POST', '/v1/events', { userId: 'ana', event: 'Signed Up' }, keys.write!)).status, 200);
  // Without WAYMARK_METRICS_TOKEN set, the admin key reads it.
  const values = parse((await scrape(url, keys.admin!)).text);
  assert.equal(values.get('waymark_events_accepted_total{project="default"}'), 1);
  assert.equal(values.get('waymark_messages_total{project="default",channel="push",status="sent"}'), 1, "counted in the engine's thread");
  assert.equal(values.get('waymark_timers_due{project="default"}'), 0);
});
