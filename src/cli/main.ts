/** The `waymark` command line: one Commander program, one file per command group under ./commands. */
import { Command } from 'commander';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { registerBackup } from './commands/backup.ts';
import { registerEventCommands } from './commands/events.ts';
import { registerExplain } from './commands/explain.ts';
import { registerJourneyCommands } from './commands/journey.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerMessageCommands } from './commands/messages.ts';
import { registerProjectCommands } from './commands/projects.ts';
import { registerProfileCommands } from './commands/profiles.ts';
import { registerProviderCommands } from './commands/providers.ts';
import { registerServe } from './commands/serve.ts';
import { registerSimulate } from './commands/simulate.ts';
import { registerStats } from './commands/stats.ts';
import { registerUserCommands } from './commands/users.ts';
import { debugEnabled, reportError } from './errors.ts';

export function buildProgram(): Command {
  const program = new Command('waymark')
    .description('Waymark: self-hosted customer-journey orchestration')
    .version('0.1.0')
    .option('--verbose', 'print stack traces on errors (or set WAYMARK_DEBUG=1)')
    .showHelpAfterError('(add --help for usage)');
  registerServe(program);
  registerJourneyCommands(program);
  registerEventCommands(program);
  registerProfileCommands(program);
  registerSimulate(program);
  registerStats(program);
  registerExplain(program);
  registerProviderCommands(program);
  registerMessageCommands(program);
  registerKeyCommands(program);
  registerProjectCommands(program);
  registerUserCommands(program);
  registerBackup(program);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error, debugEnabled(program.opts().verbose as boolean | undefined));
  }
}

/** Started as the script (`node --import tsx src/cli/main.ts`: `npm run dev`, the tests) rather than imported by bin/. */
function startedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false; // argv[1] is no file: node -e, a REPL
  }
}

if (startedDirectly()) await main();
