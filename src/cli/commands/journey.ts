/** `waymark journey ...`: check a definition locally, and manage journeys on a running server. */
import type { Command } from 'commander';
import type { CompiledJourney } from '../../core/validate.ts';
import type { JourneyRecord, JourneyVersion } from '../../store/store.ts';
import { journeyIdFromFile, readJourney } from '../../sim/journey-file.ts';
import { CliError, plural, type Problem } from '../errors.ts';
import { adminClient, DEFAULT_URL, HttpError, type ConnectionOptions } from '../http.ts';

/** The validator is loaded on demand: it takes most of the CLI's start-up time. */
async function compile(definition: unknown) {
  const { compileJourney } = await import('../../core/validate.ts');
  return compileJourney(definition);
}

/** The publish checks, loaded on demand like the validator. No known traits here: those checks need the server. */
async function checkForPublish(journey: CompiledJourney) {
  const { publishChecks } = await import('../../core/publish-checks.ts');
  return publishChecks(journey, { knownTraits: null, now: Date.now() });
}

function printWarnings(warnings: Problem[]): void {
  for (const w of warnings) process.stdout.write(`  warning ${w.path || '/'}: ${w.message}\n`);
}

function connection(command: Command): Command {
  return command
    .option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'admin API key (env WAYMARK_ADMIN_KEY)');
}

export function registerJourneyCommands(program: Command): void {
  const journey = program.command('journey').description('check, create, publish and list journeys');

  journey
    .command('validate')
    .description('check a journey definition file locally (no server), publish checks included; exit code 1 when it is invalid or would be refused at publish')
    .argument('<file>', 'journey definition (JSON)')
    .action(async (file: string) => {
      const { definition } = await readJourney(file);
      const result = await compile(definition);
      if (!result.ok) {
        for (const p of result.problems) process.stdout.write(`${p.path || '/'}: ${p.message}\n`);
        throw new CliError(`${file} is not a valid journey: ${plural(result.problems.length, 'problem')}`);
      }
      const { errors, warnings } = await checkForPublish(result.journey);
      if (errors.length > 0) {
        for (const p of errors) process.stdout.write(`${p.path || '/'}: ${p.message}\n`);
        printWarnings(warnings);
        throw new CliError(`${file} is a valid draft but would be refused at publish: ${plural(errors.length, 'problem')}`);
      }
      const d = result.journey.definition;
      const noted = warnings.length > 0 ? `; ${plural(warnings.length, 'warning')}` : '';
      process.stdout.write(`OK ${file}: "${d.name}", ${d.nodes.length} nodes, ${d.edges.length} edges${noted}\n`);
      printWarnings(warnings);
    });

  connection(
    journey
      .command('apply')
      .description("create the journey, or replace its draft if it exists (publish to make it run)")
      .argument('<file>', 'journey definition (JSON)')
      .option('--id <id>', 'journey id (default: the file name, e.g. abandoned-cart)'),
  ).action(async (file: string, options: ConnectionOptions & { id?: string }) => {
    const body = await readJourney(file);
    const local = await compile(body.definition);
    if (!local.ok) throw new CliError(`${file} is not a valid journey; nothing was sent`, local.problems);
    const id = options.id ?? journeyIdFromFile(file);
    const api = adminClient(options);
    let record: JourneyRecord;
    let created = false;
    try {
      record = await api.request<JourneyRecord>('PUT', `/v1/journeys/${encodeURIComponent(id)}`, body);
    } catch (error) {
      if (!(error instanceof HttpError && error.status === 404)) throw error;
      record = await api.request<JourneyRecord>('POST', '/v1/journeys', { id, ...body });
      created = true;
    }
    const next =
      record.version === null
        ? `not running yet: publish it with "waymark journey publish ${record.id}"`
        : `users keep getting version ${record.version} until you publish again`;
    process.stdout.write(`${created ? 'created journey' : 'updated the draft of journey'} ${record.id} ("${record.name}"); ${next}\n`);
  });

  connection(
    journey
      .command('publish')
      .description('publish the draft as the next version and run it')
      .argument('<id>', 'journey id')
      .option('--move-users', 'move users in flight onto the new version where the node they are at still exists'),
  ).action(async (id: string, options: ConnectionOptions & { moveUsers?: boolean }) => {
    // A refusal (400) lists every problem through the HttpError, exit code 1.
    const body = { moveUsers: options.moveUsers === true };
    const version = await adminClient(options).request<JourneyVersion & { warnings?: Problem[]; moved?: number }>('POST', `/v1/journeys/${encodeURIComponent(id)}/publish`, body);
    const warnings = version.warnings ?? [];
    const noted = warnings.length > 0 ? `, with ${plural(warnings.length, 'warning')}` : '';
    const moved = options.moveUsers ? `; ${plural(version.moved ?? 0, 'user')} in flight moved onto it` : '';
    process.stdout.write(`published journey ${version.journeyId} version ${version.version}${noted}${moved}\n`);
    printWarnings(warnings);
  });

  connection(journey.command('list').description('list journeys on the server').option('--json', 'print the API response as JSON')).action(
    async (options: ConnectionOptions & { json?: boolean }) => {
      const { journeys } = await adminClient(options).request<{ journeys: JourneyRecord[] }>('GET', '/v1/journeys');
      if (options.json) {
        process.stdout.write(`${JSON.stringify(journeys, null, 2)}\n`);
        return;
      }
      if (journeys.length === 0) {
        process.stdout.write('no journeys yet: create one with "waymark journey apply FILE"\n');
        return;
      }
      const rows = [['ID', 'STATUS', 'VERSION', 'UPDATED', 'NAME'], ...journeys.map((j) => [j.id, j.status, j.version === null ? '-' : String(j.version), new Date(j.updatedAt).toISOString(), j.name])];
      const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
      for (const r of rows) process.stdout.write(`${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}\n`);
    },
  );
}
