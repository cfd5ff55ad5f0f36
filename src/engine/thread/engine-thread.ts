/**
 * The entry of the engine's thread: opens its own connection to the SQLite file, runs the engine on it (group
 * commit, timers, dispatch, scheduled entries) and answers the main thread's calls. The main thread keeps its
 * own connection for the API's reads and rare writes (journeys, settings); write-ahead logging lets its reads
 * go on while this thread commits, so a dashboard read no longer holds up ingest. Of a database split by user
 * (store/shards/), a thread runs one shard's file.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { shareLimits } from '../../channels/limiter.ts';
import { channelSenders } from '../../channels/senders.ts';
import { systemClock } from '../../core/clock.ts';
import { openSqliteStore } from '../../store/open.ts';
import { MessageNumbers } from '../../store/shards/message-numbers.ts';
import { shardStore } from '../../store/shards/shard-store.ts';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { Engine } from '../engine.ts';
import type { EngineThreadConfig, FromEngine, ToEngine } from './protocol.ts';

const port = parentPort!;
const config = workerData as EngineThreadConfig;
const post = (message: FromEngine) => port.postMessage(message);
/**
 * An error as it can cross to the other thread: a structured clone keeps only a plain Error's fields, and of
 * an Error subclass (SQLite's) only its own properties, losing the message.
 */
const portable = (error: unknown): unknown =>
  error instanceof Error ? { name: error.name, message: error.message, stack: error.stack, ...('code' in error ? { code: (error as { code: unknown }).code } : {}) } : error;

let engine: Engine;
let store: SqliteStore;
let main: SqliteStore | null = null;
try {
  const onError = (error: unknown, where: string) => post({ kind: 'error', where, error: portable(error) });
  const shard = config.shard;
  // This thread's connection makes nearly every write: its checkpoints go to a thread of their own.
  store = openSqliteStore(config.file, {
    checkpoints: 'background',
    onCheckpointError: (error) => onError(error, 'checkpoints'),
    ...(shard ? { numbers: new MessageNumbers(shard.numbers, shard.index) } : {}),
  });
  if (shard && shard.index > 0) main = openSqliteStore(shard.files[0]!);
  // Every shard's dispatcher sends to the same providers: each keeps to its share of their limits.
  if (shard) shareLimits(1 / shard.files.length);
  const own = shardStore(store, main);
  engine = new Engine({
    store: own,
    clock: systemClock,
    channels: await channelSenders(own, { onError }),
    realtime: true,
    background: true,
    ...config.engine,
    onError,
  });
  await engine.start();
} catch (error) {
  post({ kind: 'failed-to-start', message: (error as Error).message });
  process.exit(1);
}

/** Stops the engine, then closes this thread's connections; then, with nothing left to do, the thread ends. */
async function stop(): Promise<void> {
  await engine.stop();
  await store.close();
  await main?.close();
}

port.on('message', (message: ToEngine) => {
  const { id, method, args } = message;
  const call =
    method === 'stop'
      ? stop()
      : method === 'holdProfiles'
        ? Promise.resolve(store.holdProfiles(args[0] as string[], args[1] as boolean))
        : (engine[method] as (...a: unknown[]) => Promise<unknown>).apply(engine, args);
  call.then(
    (value) => {
      post({ kind: 'answer', id, value });
      if (method === 'stop') port.close();
    },
    (error: unknown) => post({ kind: 'refusal', id, error: portable(error) }),
  );
});
post({ kind: 'started' });
