/**
 * One thread of a simulation on several (shards.ts): its share of the users, on a SimulationRun and a SQLite
 * file of its own. Calls are taken one at a time, in the order posted; each is answered with its value or its
 * error. Progress (the virtual clock, timers fired) is posted at most every 200 ms.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InvalidJourneyError } from '../app/journeys.ts';
import { eventOfRecord, parseProfileRecord } from './records.ts';
import { MessageOutput } from './output.ts';
import { SimulationRun, throwawayStore } from './run.ts';
import { finishOutput } from './runner.ts';
import type { ShardCall, ShardConfig, ShardFinish, ShardMessage } from './shard-protocol.ts';

const config = workerData as ShardConfig;
const port = parentPort!;
let lastProgress = 0;
let run: SimulationRun | null = null;
let messages: MessageOutput | null = null;
let finished = false;

const post = (message: ShardMessage) => port.postMessage(message);

const methods = {
  async open(): Promise<void> {
    const output = new MessageOutput(config.output);
    messages = output;
    run = await SimulationRun.open({
      store: throwawayStore(config.dbFile, { settings: config.settings, journeys: config.journeys, onMessages: output.take.bind(output) }),
      clockStart: config.clockStart,
      settings: config.settings,
      journeys: config.journeys,
      ...(config.commitEvery !== undefined ? { commitEvery: config.commitEvery } : {}),
      onUnit: () => {
        const now = performance.now();
        if (now - lastProgress < 200) return;
        lastProgress = now;
        post({ progress: run!.progress() });
      },
    });
  },
  /** Lines the reading thread has read as profiles already: they parse as they did there. */
  async profiles(lines: string[]): Promise<void> {
    await run!.addProfiles(lines.map((text) => parseProfileRecord(JSON.parse(text) as Record<string, unknown>, 0)));
  },
  /** Lines the reading thread has read as events already, with the message id and time it gave each. */
  async take(lines: string[], messageIds: string[], timestamps: number[], seenBefore: number[], othersSince: number[]): Promise<void> {
    for (let i = 0; i < lines.length; i++) {
      const event = eventOfRecord(JSON.parse(lines[i]!) as Record<string, unknown>, messageIds[i]!, timestamps[i]!);
      await run!.take(event, seenBefore[i]!, othersSince[i]!);
    }
  },
  async end(until: number | null, lastAt: number): Promise<void> {
    await run!.endEvents(until, lastAt);
  },
  drain(): Promise<number> {
    return run!.drainTimers();
  },
  async finish(journeyId: string): Promise<ShardFinish> {
    const r = run!;
    const written = await finishOutput(r, messages!);
    finished = true;
    const store = r.waymark.store;
    const [rows, waiting, versions, journey, users] = await Promise.all([
      store.journeyStats(journeyId),
      store.journeyWaiting(journeyId),
      store.listVersions(journeyId),
      store.getJourney(journeyId),
      store.eventUserCount(),
    ]);
    return {
      written,
      rows,
      waiting,
      versions,
      draft: journey!.draft,
      users,
      counts: r.counts(),
      timings: r.timings,
    };
  },
  async close(): Promise<void> {
    const r = run;
    run = null;
    if (!finished) messages?.discard();
    await r?.close();
  },
};

// One call at a time, in order: each waits for the one before it to settle.
let queue: Promise<void> = Promise.resolve();
port.on('message', (call: ShardCall) => {
  queue = queue.then(async () => {
    try {
      const value = await (methods[call.method] as (...args: unknown[]) => Promise<unknown>)(...call.args);
      post({ id: call.id, value });
    } catch (error) {
      // A journey refused at publishing keeps its problems, so the caller can tell it from a failure.
      const problems = error instanceof InvalidJourneyError ? error.problems : undefined;
      post({ id: call.id, error: { message: error instanceof Error ? error.message : String(error), ...(problems ? { problems } : {}) } });
    }
  });
});
