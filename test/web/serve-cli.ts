// `waymark serve` from source, for the browser test: the same CLI entry the launcher runs.
import { main } from '../../src/cli/main.ts';

await main(process.argv);
