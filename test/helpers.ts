/** Shared test fixtures: temporary SQLite files, the example journeys, a virtual-clock Waymark. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openWaymark, type Waymark } from '../src/app/waymark.ts';
import { VirtualClock } from '../src/core/clock.ts';
import type { JourneyDefinition } from '../src/core/definition.ts';
import type { JourneyEvent } from '../src/core/instance.ts';

export const ROOT = new URL('..', import.meta.url).pathname;

export function tempDir(prefix = 'waymark-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function example(name: string): JourneyDefinition {
  return JSON.parse(readFileSync(join(ROOT, 'examples', `${name}.json`), 'utf8'));
}

export const T0 = Date.UTC(2026, 10, 2, 15, 0, 0); // a Monday, 15:00 UTC

export interface VirtualWaymark extends Waymark {
  clock: VirtualClock;
  /** Moves the virtual clock to `at`, firing every timer due on the way, in order, and dispatching. */
  runUntil(at: number): Promise<void>;
  send(event: Omit<JourneyEvent, 'messageId' | 'properties'> & { messageId?: string; properties?: Record<string, unknown> }): Promise<void>;
}

let messageCounter = 0;

export async function virtualWaymark(start = T0): Promise<VirtualWaymark> {
  const clock = new VirtualClock(start);
  const dir = tempDir();
  const waymark = await openWaymark({ database: join(dir, 'waymark.db'), clock, realtime: false });
  after(() => waymark.close());
  const runUntil = async (at: number) => {
    for (;;) {
      const next = await waymark.store.nextWakeAt();
      if (next === null || next > at) break;
      clock.set(Math.max(clock.now(), next));
      await waymark.engine.runDue();
      await waymark.engine.dispatch();
    }
    clock.set(Math.max(clock.now(), at));
  };
  return {
    ...waymark,
    clock,
    runUntil,
    async send(e) {
      await runUntil(e.timestamp - 1); // an event goes before a timer due at the same moment
      clock.set(Math.max(clock.now(), e.timestamp));
      await waymark.engine.ingestNow([{ messageId: e.messageId ?? `m${++messageCounter}`, properties: {}, ...e }]);
      await waymark.engine.dispatch();
    },
  };
}
