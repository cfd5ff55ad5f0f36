/**
 * `waymark messages resend <id>` and `waymark messages resend --dead [filters]`: dead letters sent again on a
 * running server (POST /v1/messages/{id}/resend, POST /v1/messages/resend). Only dead letters move; the
 * server says why another message does not, in one line.
 */
import type { Command } from 'commander';
import { CHANNEL_NAMES } from '../../core/channels.ts';
import { MAX_REQUEUE } from '../../store/records.ts';
import { CliError, plural } from '../errors.ts';
import { adminClient, DEFAULT_URL, HttpError, type ApiClient, type ConnectionOptions } from '../http.ts';
import { isoInstant } from '../options.ts';

interface ResendOptions extends ConnectionOptions {
  dead?: boolean;
  journey?: string;
  node?: string;
  user?: string;
  channel?: string;
  since?: string;
  until?: string;
  dryRun?: boolean;
}

/** Each filter option and the body field it fills. */
const FILTERS = [
  ['journey', 'journeyId'],
  ['node', 'nodeId'],
  ['user', 'userId'],
  ['channel', 'channel'],
  ['since', 'since'],
  ['until', 'until'],
] as const;

export function registerMessageCommands(program: Command): void {
  const messages = program.command('messages').description('act on the messages of a running server');
  messages
    .command('resend')
    .description(
      'send a dead letter again (every attempt failed for a passing reason, or an email held in doubt after a crash), or with --dead every dead letter the filters match: ' +
        `they go back to pending, due now, with their own ids, at most ${MAX_REQUEUE.toLocaleString('en')} at a time. A message in any other status is never sent again`,
    )
    .argument('[id]', 'the message id (GET /v1/messages?status=dead lists them)')
    .option('--dead', 'every dead letter the filters below match (none: every dead letter)')
    .option('--journey <id>', 'only those of this journey')
    .option('--node <id>', 'only those of this node (with --journey)')
    .option('--user <id>', 'only those of this user')
    .option('--channel <channel>', `only those on this channel (${CHANNEL_NAMES.join(', ')})`)
    .option('--since <iso>', 'only those made at or after this moment, e.g. 2026-01-01T09:00:00Z', isoInstant)
    .option('--until <iso>', 'only those made before this moment', isoInstant)
    .option('--dry-run', 'with --dead: count them, change nothing')
    .option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'admin API key (env WAYMARK_ADMIN_KEY)')
    .action(async (id: string | undefined, options: ResendOptions) => {
      const given = FILTERS.filter(([option]) => options[option] !== undefined).map(([option]) => `--${option}`);
      if (options.dryRun) given.push('--dry-run');
      if (id !== undefined && (options.dead || given.length > 0)) throw new CliError(`give a message id or --dead with filters, not both (${[...(options.dead ? ['--dead'] : []), ...given].join(' ')} with "${id}")`);
      if (id === undefined && !options.dead) {
        throw new CliError(given.length > 0 ? `${given.join(' ')} needs --dead: say "waymark messages resend --dead ${given.join(' ')}"` : 'give the id of a dead letter, or --dead to send every dead letter again (narrowed by --journey, --node, --user, --channel, --since, --until)');
      }
      if (options.node !== undefined && options.journey === undefined) throw new CliError('--node needs --journey: a node id names a node within one journey');
      if (options.channel !== undefined && !(CHANNEL_NAMES as readonly string[]).includes(options.channel)) throw new CliError(`--channel "${options.channel}" is not a channel: ${CHANNEL_NAMES.join(', ')}`);
      const api = adminClient(options);
      process.stdout.write(id !== undefined ? await resendOne(api, id) : await resendDead(api, options));
    });
}

async function resendOne(api: ApiClient, id: string): Promise<string> {
  try {
    const { message } = await api.request<{ message: { id: string; reason: string | null } }>('POST', `/v1/messages/${encodeURIComponent(id)}/resend`);
    return `message ${message.id} is pending again: the dispatcher sends it within seconds${message.reason ? ` (it died of ${message.reason})` : ''}\n`;
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) throw new CliError(`no message "${id}" at ${api.baseUrl}`);
    if (error instanceof HttpError && error.status === 409) throw new CliError(error.detail);
    throw error;
  }
}

async function resendDead(api: ApiClient, options: ResendOptions): Promise<string> {
  const body: Record<string, unknown> = {};
  for (const [option, field] of FILTERS) if (options[option] !== undefined) body[field] = options[option];
  if (options.dryRun) body.dryRun = true;
  let requeued: number;
  try {
    ({ requeued } = await api.request<{ requeued: number }>('POST', '/v1/messages/resend', body));
  } catch (error) {
    // The server names body fields; say them as the options they came from, on one line.
    if (error instanceof HttpError && error.status === 400 && error.problems.length > 0) {
      const option = (path: string) => FILTERS.find(([, field]) => `/${field}` === path)?.[0];
      throw new CliError(error.problems.map((p) => `${option(p.path) ? `--${option(p.path)}` : p.path} ${p.message}`).join('; '));
    }
    throw error;
  }
  const letters = plural(requeued, 'dead letter');
  if (options.dryRun) return `${requeued === 0 ? 'no dead letters match' : `${letters} would be sent again`}\n`;
  if (requeued === 0) return 'no dead letters match: nothing sent again\n';
  const rest = requeued === MAX_REQUEUE ? ` (at most ${MAX_REQUEUE.toLocaleString('en')} at a time: run it again for the rest)` : '';
  return `${letters} sent again: pending, due now${rest}\n`;
}
