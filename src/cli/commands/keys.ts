/**
 * `waymark keys list|create|rotate|revoke`: the API keys of a running server (GET, POST, DELETE /v1/keys). A
 * key made or rotated is printed once, on its own line, so a script can take it; lists never show keys.
 */
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { adminClient, DEFAULT_URL, type ConnectionOptions } from '../http.ts';
import { table } from '../table.ts';

interface KeyView {
  id: string;
  kind: 'admin' | 'write';
  name: string | null;
  prefix: string | null;
  createdAt: number;
}

const connection = (command: Command) =>
  command.option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`).option('--key <key>', 'admin API key (env WAYMARK_ADMIN_KEY)');

const KINDS = ['admin', 'write'];

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('see, make, rotate and revoke the API keys of a running server');

  connection(keys.command('list').description('the keys, oldest first: id, kind, name and first characters (never the keys)').option('--json', 'print the API response'))
    .action(async (options: ConnectionOptions & { json?: boolean }) => {
      const { keys: list } = await adminClient(options).request<{ keys: KeyView[] }>('GET', '/v1/keys');
      process.stdout.write(options.json ? `${JSON.stringify({ keys: list }, null, 2)}\n` : formatKeys(list));
    });

  connection(
    keys
      .command('create')
      .description('make a key; it is printed this once')
      .argument('<kind>', 'write (ingestion only: safe in an app) or admin (everything)')
      .requiredOption('--name <name>', 'what it is for, e.g. "iOS app"'),
  ).action(async (kind: string, options: ConnectionOptions & { name: string }) => {
    if (!KINDS.includes(kind)) throw new CliError(`"${kind}" is not a kind of key: write or admin`);
    const made = await adminClient(options).request<KeyView & { key: string }>('POST', '/v1/keys', { kind, name: options.name });
    process.stdout.write(`${made.kind} key "${made.name}" (id ${made.id}), shown this once:\n${made.key}\n`);
  });

  connection(keys.command('rotate').description('replace a key by a new one of its kind and name; the old one stops working at once').argument('<id>', 'the key id, from `waymark keys list`'))
    .action(async (id: string, options: ConnectionOptions) => {
      const made = await adminClient(options).request<KeyView & { key: string }>('POST', `/v1/keys/${encodeURIComponent(id)}/rotate`);
      process.stdout.write(`${id} rotated: ${made.kind} key "${made.name ?? ''}" is now id ${made.id}, shown this once:\n${made.key}\n`);
    });

  connection(keys.command('revoke').description('revoke a key (not the last admin key)').argument('<id>', 'the key id, from `waymark keys list`'))
    .action(async (id: string, options: ConnectionOptions) => {
      await adminClient(options).request('DELETE', `/v1/keys/${encodeURIComponent(id)}`);
      process.stdout.write(`${id} revoked\n`);
    });
}

export function formatKeys(list: KeyView[]): string {
  return table([
    ['ID', 'KIND', 'STARTS WITH', 'CREATED', 'NAME'],
    ...list.map((k) => [k.id, k.kind, k.prefix ? `${k.prefix}…` : '-', new Date(k.createdAt).toISOString().slice(0, 16).replace('T', ' '), k.name ?? '']),
  ]);
}
