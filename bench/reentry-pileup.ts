/**
 * One event for a user who has left a re-entering journey many times: does its unit of work stay flat as
 * the user's exited instances pile up (a journey with reentry afterExit and no cool-down)?
 *
 * A user gets `--exited` exited instances of the journey (written straight through Store.ingestEvents, one
 * batch), then the engine ingests `--events` of their entry event, one at a time (each enters, sends to the
 * outbox and exits); the median and the worst time of one ingest are printed.
 *
 *   npx tsx bench/reentry-pileup.ts [--store sqlite|postgres] [--exited 40000] [--events 50]
 *   (PostgreSQL server: WAYMARK_BENCH_DATABASE_URL, else WAYMARK_TEST_DATABASE_URL, else local postgres)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openWaymark } from '../src/app/waymark.ts';
import { VirtualClock } from '../src/core/clock.ts';
import type { JourneyDefinition } from '../src/core/definition.ts';
import type { Instance } from '../src/core/instance.ts';
import { openStore } from '../src/store/open.ts';

const { values: args } = parseArgs({ options: { store: { type: 'string', default: 'sqlite' }, exited: { type: 'string', default: '40000' }, events: { type: 'string', default: '50' } } });
const EXITED = Number(args.exited);
const EVENTS = Number(args.events);
const T0 = Date.UTC(2026, 0, 5);

const journey: JourneyDefinition = {
  name: 'ping',
  setup: { reentry: 'afterExit' },
  nodes: [
    { id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Ping' } },
    { id: 'push', kind: 'send', channel: 'push', message: { title: 'ping', body: 'pong' } },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { from: 'in', to: 'push' },
    { from: 'push', to: 'done' },
  ],
} as JourneyDefinition;

const dir = mkdtempSync(join(tmpdir(), 'waymark-bench-'));
const url = process.env.WAYMARK_BENCH_DATABASE_URL || process.env.WAYMARK_TEST_DATABASE_URL || 'postgres://postgres:postgres@127.0.0.1:5432/postgres';
const schema = `wm_bench_${randomBytes(4).toString('hex')}`;
const store = args.store === 'postgres' ? await openStore(url, { schema }) : await openStore(join(dir, 'bench.db'));
const clock = new VirtualClock(T0);
const waymark = await openWaymark({ database: store, clock, realtime: false });
try {
  await waymark.journeys.create({ id: 'ping', definition: journey });
  await waymark.journeys.publish('ping');
  // The pile: exited passes of the journey, as the engine leaves them.
  const pile: Instance[] = [];
  for (let i = 0; i < EXITED; i++) {
    const at = T0 - (EXITED - i) * 1_000;
    pile.push({
      id: `old-${i}`, journeyId: 'ping', version: 1, userId: 'heavy', status: 'exited', nodeId: 'done', wakeAt: null, createdAt: at, enteredAt: at, step: 3,
      entryEvent: { messageId: `old-e${i}`, name: 'Ping', timestamp: at, properties: {} }, nodeUntil: null, timeoutAt: null, convertedAt: null, exit: { reason: 'completed', at, nodeId: 'done' },
    });
  }
  await store.ingestEvents([{ messageId: 'seed', userId: 'heavy', name: 'Seed', timestamp: T0 - 1, properties: {} }], T0 - 1, () => ({ instances: pile, messages: [], stats: [] }));
  const times: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    clock.set(T0 + i * 1_000);
    const t0 = performance.now();
    await waymark.engine.ingestNow([{ messageId: `e${i}`, userId: 'heavy', name: 'Ping', timestamp: T0 + i * 1_000, properties: {} }]);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const sent = (await store.listMessages({ userId: 'heavy', limit: EVENTS + 1 })).length;
  console.log(`${args.store}: ${EXITED} exited instances; one event: median ${times[times.length >> 1]!.toFixed(2)} ms, worst ${times[times.length - 1]!.toFixed(2)} ms (${sent} of ${EVENTS} events entered and sent)`);
} finally {
  await waymark.close();
  rmSync(dir, { recursive: true, force: true });
  if (args.store === 'postgres') {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
