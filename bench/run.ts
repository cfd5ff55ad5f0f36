/**
 * Benchmarks. `npm run bench -- cart [options]` replays the abandoned-cart workload over HTTP in real time;
 * `npm run bench -- simulate [options]` pushes it through `simulate` on a virtual clock as fast as it goes.
 * Options: --users N --span-ms S --window-ms W --delay-ms D --seed K, or --workload DIR.
 * cart on PostgreSQL: --database postgres://... (a fresh schema, dropped afterwards) and --workers N (0: one
 * `serve` process, role all; N: one `--role api` process and N `--role worker` processes), --analyze-ms MS
 * (ANALYZE the schema this often, default 5000; 0: leave it to autovacuum); --timer-batch N and --poll-ms N
 * are passed to every `serve`; --message-ids random sends a UUID an event, as SDKs do (default: sequential,
 * bench-0, bench-1, ...); --shards N runs one server on a database split into N shards (`serve --shards`);
 * --servers N runs N SQLite servers, each user's events going to one of them by a hash of the id. simulate: --threads N (default: simulate's own, one
 * a core for a large file).
 * `npm run bench -- segment [--profiles N] [--events N] [--seed K] [--database URL] [--keep [FILE]]`: a scheduled
 * segment entry over N profiles and their events (bench/segment.ts).
 */
import { runCartBench } from './cart.ts';
import { parseBenchArgs } from './common.ts';
import { runSegmentBench } from './segment.ts';
import { runSimulateBench } from './simulate.ts';

const [mode, ...rest] = process.argv.slice(2);
try {
  if (mode === 'segment') await runSegmentBench(rest);
  else {
    const args = parseBenchArgs(rest);
    if (mode === 'cart') await runCartBench(args);
    else if (mode === 'simulate') await runSimulateBench(args);
    else throw new Error(`unknown mode ${JSON.stringify(mode)}; use "cart", "simulate" or "segment"`);
  }
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exit(2);
}
