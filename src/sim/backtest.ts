/**
 * Backtests: what a journey definition would have done over the project's recent events. The events recorded
 * in the last N days and their users' profiles are copied out of the store, bounded, and replayed through the
 * simulation's engine loop (run.ts, as `waymark simulate`) on a throwaway SQLite database and a
 * virtual clock; the answer is that run's stats. The live store is only read: nothing is written to it, and
 * the run's sends go to the throwaway database's outbox, nowhere else.
 *
 * The replay differs from what happened in ways worth knowing: profiles are as they are now, not as they were;
 * frequency caps count the sends of the journeys replayed only; the journeys' own internal entries (scheduled
 * entries, journey triggers) are not replayed but made again by the run, from the replayed users' profiles
 * and from the journeys whose nodes trigger this one, run alongside as last published.
 */
import type { JourneyDefinition } from '../core/definition.ts';
import { ENTER_EVENT } from '../core/validate.ts';
import { EventSpool, type SpoolCursor } from '../store/sqlite/event-spool.ts';
import type { Store } from '../store/store.ts';
import { ConflictError, NotFoundError } from '../app/journeys.ts';
import type { BacktestView } from '../app/views.ts';
import type { Waymark } from '../app/waymark.ts';
import type { EngineHandle } from '../engine/handle.ts';
import { SimulationRun, throwawayStore } from './run.ts';

export const MAX_BACKTEST_DAYS = 90;
/** Events read from the store per backtest at most: about two minutes of replay on one core. */
export const MAX_BACKTEST_EVENTS = 1_000_000;
/** Journeys followed up a chain of journey triggers at most. */
const MAX_CHAIN = 10;
const PAGE = 2_000;
/** Events per engine call: each call holds the process, so a few hundred milliseconds at most. */
const SHARED_BATCH = 500;
const DAY_MS = 86_400_000;

export interface BacktestOptions {
  /** Default MAX_BACKTEST_EVENTS. */
  maxEvents?: number;
}

/** One backtest at a time per Waymark: each holds a core for as long as it runs. */
const running = new WeakSet<Waymark<EngineHandle>>();

/**
 * Replays `definition` (default: the journey's draft) as journey `journeyId` over the last `days` days.
 * NotFoundError for an unknown journey, InvalidJourneyError for a definition that does not validate or
 * publish, ConflictError while another backtest runs.
 */
export async function backtest(waymark: Waymark<EngineHandle>, journeyId: string, input: { days: number; definition?: unknown }, options: BacktestOptions = {}): Promise<BacktestView> {
  const store = waymark.store;
  const journey = await store.getJourney(journeyId);
  if (!journey) throw new NotFoundError(`no journey "${journeyId}"`);
  const definition = input.definition === undefined ? journey.draft : waymark.journeys.validate(input.definition);
  if (running.has(waymark)) throw new ConflictError('a backtest is already running; ask again when it has finished');
  running.add(waymark);
  const spool = new EventSpool();
  try {
    const maxEvents = options.maxEvents ?? MAX_BACKTEST_EVENTS;
    const to = waymark.engine.clock.now();
    const from = to - input.days * DAY_MS;
    const truncated = await readWindow(store, spool, from, to, maxEvents);
    spool.seal();
    const settings = await store.getSettings();
    const journeys = [...(await triggeringJourneys(store, journeyId, definition)), { id: journeyId, definition }];
    const run = await SimulationRun.open({
      // The run's messages are not kept: a backtest answers with its stats.
      store: throwawayStore('', { settings, journeys }),
      clockStart: from,
      settings,
      journeys,
      onUnit: turn,
      commitEvery: 100, // a commit writes the pages changed since the last: a few at a time
      shared: { batch: SHARED_BATCH },
    });
    try {
      let profiles = 0;
      for (let after: string | null = null; ; ) {
        const users = spool.users(after, PAGE);
        if (users.length === 0) break;
        after = users.at(-1)!;
        const found = await store.profilesOf(users);
        await run.addProfiles(found.map((p) => ({ userId: p.userId, traits: p.traits })));
        profiles += found.length;
        await turn();
      }
      let cursor: SpoolCursor = null;
      let lastAt: number | null = null;
      for (;;) {
        const page = spool.events(cursor, PAGE);
        if (page.events.length === 0) break;
        for (const e of page.events) await run.take(e);
        lastAt = page.events.at(-1)!.timestamp;
        cursor = page.cursor;
      }
      await run.endEvents(to, lastAt);
      await run.drainTimers(to);
      return {
        journeyId,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        events: spool.count,
        users: spool.userCount(),
        profiles,
        truncated,
        maxEvents,
        stats: await run.stats(journeyId),
      };
    } finally {
      await run.close();
    }
  } finally {
    spool.close();
    running.delete(waymark);
  }
}

/**
 * Copies the window's events into the spool, page by page in arrival order, leaving out the internal entries
 * (the run makes its own). Reads at most `maxEvents` rows; true when the window held more.
 */
async function readWindow(store: Store, spool: EventSpool, from: number, to: number, maxEvents: number): Promise<boolean> {
  let read = 0;
  let cursor: string | undefined;
  for (;;) {
    const page = await store.eventWindow({ from, to, limit: Math.min(PAGE, maxEvents - read), ...(cursor !== undefined ? { cursor } : {}) });
    read += page.items.length;
    spool.add(page.items.filter((e) => e.name !== ENTER_EVENT));
    if (page.nextCursor === null) return false;
    if (read >= maxEvents) return true;
    cursor = page.nextCursor;
    await turn();
  }
}

/**
 * The journeys whose nodes start this one (a journey trigger), and theirs in turn, as last published (or as
 * drafted, never published), the farthest first: the run publishes them before it, so the entries they cause
 * happen in the run as they did live.
 */
async function triggeringJourneys(store: Store, journeyId: string, definition: JourneyDefinition): Promise<Array<{ id: string; definition: JourneyDefinition }>> {
  const chain: Array<{ id: string; definition: JourneyDefinition }> = [];
  const seen = new Set([journeyId]);
  let current = definition;
  while (chain.length < MAX_CHAIN) {
    const trigger = current.nodes.find((n) => n.kind === 'entry')?.trigger;
    if (trigger?.type !== 'journey' || seen.has(trigger.journeyId)) break;
    const source = await store.getJourney(trigger.journeyId);
    if (!source) break; // the run's publish says so, as publishing would
    seen.add(source.id);
    const versions = await store.listVersions(source.id);
    current = versions.sort((a, b) => a.version - b.version).at(-1)?.definition ?? source.draft;
    chain.unshift({ id: source.id, definition: current });
  }
  return chain;
}

/** Lets the server answer other requests between two steps of a long run (the SQLite calls do not yield). */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
