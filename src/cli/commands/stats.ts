/** `waymark stats JOURNEY`: a journey's totals, conversion against the control group and per-node funnel, from a running server. */
import type { Command } from 'commander';
import type { StatsView } from '../../app/views.ts';
import { CliError } from '../errors.ts';
import { adminClient, DEFAULT_URL, HttpError, type ApiClient, type ConnectionOptions } from '../http.ts';
import { percent, table } from '../table.ts';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description('show a journey\'s stats on the server: totals, conversion and control-group uplift, and the funnel node by node')
    .argument('<journey>', 'journey id')
    .option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'admin API key (env WAYMARK_ADMIN_KEY)')
    .option('--json', 'print the API response (GET /v1/journeys/:id/stats) as JSON')
    .action(async (journeyId: string, options: ConnectionOptions & { json?: boolean }) => {
      const api = adminClient(options);
      const stats = await getJourneyView<StatsView>(api, journeyId, `/v1/journeys/${encodeURIComponent(journeyId)}/stats`);
      process.stdout.write(options.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStats(stats));
    });
}

/** GET a view about a journey; an unknown journey is one line naming it and the server. */
export async function getJourneyView<T>(api: ApiClient, journeyId: string | undefined, path: string): Promise<T> {
  try {
    return await api.request<T>('GET', path);
  } catch (error) {
    if (journeyId !== undefined && error instanceof HttpError && error.status === 404) {
      throw new CliError(`no journey "${journeyId}" at ${api.baseUrl} ("waymark journey list" shows the journeys there)`);
    }
    throw error;
  }
}

export function formatStats(stats: StatsView): string {
  const { totals: t, conversion: c } = stats;
  const versions = stats.versions.length === 0 ? 'never published' : `version${stats.versions.length === 1 ? '' : 's'} ${stats.versions.join(', ')}`;
  const n = String;
  const journey = table(
    [
      ['qualified', n(t.qualified), ''],
      ['not qualified', n(t.notQualified), ''],
      ['entered', n(t.entered), `converted ${c.target.converted} (${percent(c.target.rate)})`],
      ['control group', n(t.control), `converted ${c.control.converted} (${percent(c.control.rate)})`],
      ['uplift', c.uplift === null ? '-' : percent(c.uplift, true), upliftNote(stats)],
      ['timed out', n(t.timedOut), ''],
      ['completed', n(t.completed), ''],
      ['stopped', n(t.stopped), ''],
      ['merged', n(t.merged), ''],
    ],
    new Set([1]),
    '  ',
  );
  // Sent, skipped and failed mean something only for sends: a dash elsewhere, unless a count says otherwise.
  const sendOnly = (kind: string, count: number) => (kind !== 'send' && count === 0 ? '-' : n(count));
  const nodes = table(
    [
      ['NODE', 'KIND', 'ENTERED', 'SENT', 'SKIPPED', 'FAILED', 'GOAL', 'SKIPPED BY REASON'],
      ...stats.nodes.map((node) => [
        node.nodeId,
        node.kind,
        n(node.entered),
        sendOnly(node.kind, node.sent),
        sendOnly(node.kind, node.skipped),
        sendOnly(node.kind, node.failed),
        n(node.goal),
        skipReasons(node),
      ]),
    ],
    new Set([2, 3, 4, 5, 6]),
  );
  return `journey ${stats.journeyId} (${versions})\n${journey}\n${stats.nodes.length > 0 ? nodes : 'no nodes\n'}`;
}

function upliftNote(stats: StatsView): string {
  const { target, control, uplift } = stats.conversion;
  if (uplift !== null) return 'conversion rate of those who entered against the control group\'s';
  if (control.users === 0) return 'no control group (setup.controlGroupPercent)';
  if (target.entered === 0) return 'nobody entered';
  return 'no control-group user converted';
}

/** "no_phone 3, dnd 1", and the skips counted before reasons were (older records) as "unrecorded". */
function skipReasons(node: StatsView['nodes'][number]): string {
  const parts = Object.entries(node.skippedBy).map(([reason, count]) => `${reason} ${count}`);
  const unrecorded = node.skipped - Object.values(node.skippedBy).reduce((a, b) => a + b, 0);
  if (unrecorded > 0) parts.push(`unrecorded ${unrecorded}`);
  return parts.join(', ');
}
