/**
 * The entry of the engine's thread: opens its own connection to the SQLite file, runs the engine on it (group
 * commit, timers, dispatch, scheduled entries) and answers the main thread's calls. The main thread keeps its
 * own connection for the API's reads and rare writes (journeys, settings); write-ahead logging lets its reads
 * go on while this thread commits, so a dashboard read no longer holds up ingest.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { channelSenders } from '../../channels/senders.ts';
import { systemClock } from '../../core/clock.ts';
import { openSqliteStore } from '../../store/open.ts';
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
try {
  const onError = (error: unknown, where: string) => post({ kind: 'error', where, error: portable(error) });
  // This thread's connection makes nearly every write: its checkpoints go to a thread of their own.
  const store = openSqliteStore(config.file, { checkpoints: 'background', onCheckpointError: (error) => onError(error, 'checkpoints') });
  engine = new Engine({
    store,
    clock: systemClock,
    channels: await channelSenders(store, { onError }),
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

port.on('message', (message: ToEngine) => {
  const { id, method, args } = message;
  // stop also closes this thread's store; then, with nothing left to do, the thread ends.
  const call = method === 'stop' ? engine.stop().then(() => engine.store.close()) : (engine[method] as (...a: unknown[]) => Promise<unknown>).apply(engine, args);
  call.then(
    (value) => {
      post({ kind: 'answer', id, value });
      if (method === 'stop') port.close();
    },
    (error: unknown) => post({ kind: 'refusal', id, error: portable(error) }),
  );
});
post({ kind: 'started' });
