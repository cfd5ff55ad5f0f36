/** `waymark explain USER [--journey ID]`: why a user did or did not get each message, from a running server. */
import type { Command } from 'commander';
import type { ExplainResult } from '../../app/views.ts';
import { CliError } from '../errors.ts';
import { adminClient, DEFAULT_URL, type ConnectionOptions } from '../http.ts';
import { table } from '../table.ts';
import { getJourneyView } from './stats.ts';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('show why a user did or did not get each message of their journeys on the server')
    .argument('<user>', 'user id')
    .option('--journey <id>', 'only this journey (and say why the user never entered it, if so)')
    .option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'admin API key (env WAYMARK_ADMIN_KEY)')
    .option('--json', 'print the API response (GET /v1/users/:id/explain) as JSON')
    .action(async (userId: string, options: ConnectionOptions & { journey?: string; json?: boolean }) => {
      if (userId === '') throw new CliError('the user id must not be empty');
      if (options.journey === '') throw new CliError('--journey must not be empty');
      const api = adminClient(options);
      const query = options.journey === undefined ? '' : `?journeyId=${encodeURIComponent(options.journey)}`;
      const result = await getJourneyView<ExplainResult>(api, options.journey, `/v1/users/${encodeURIComponent(userId)}/explain${query}`);
      process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatExplain(result));
    });
}

export function formatExplain(result: ExplainResult): string {
  let out = `user ${result.userId}\n`;
  for (const j of result.journeys) {
    const status = j.exit ? `${j.status} (${j.exit.reason})` : j.status;
    out += `\n${j.journeyId} version ${j.version}: ${status}${j.enteredAt ? `, entered ${j.enteredAt}` : ''}\n  ${j.summary}\n`;
    if (j.steps.length === 0) continue;
    out += table(
      [['NODE', 'CHANNEL', 'OUTCOME', 'AT', 'WHY'], ...j.steps.map((s) => [s.nodeId, s.channel, s.outcome, s.at ?? '-', s.detail])],
      new Set(),
      '  ',
    );
  }
  for (const note of result.notes) out += `\nnote: ${note}\n`;
  return out;
}
