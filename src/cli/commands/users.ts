/**
 * `waymark users list|create|remove`: the dashboard's users (the team) on a running server (GET, POST, DELETE
 * /v1/team), with the admin key. A password comes from WAYMARK_USER_PASSWORD (no prompt, so scripts can run
 * it); without one, a random password is made and printed once.
 */
import type { Command } from 'commander';
import { generatePassword } from '../../api/passwords.ts';
import { CliError } from '../errors.ts';
import { adminClient, DEFAULT_URL, type ConnectionOptions } from '../http.ts';
import { table } from '../table.ts';

interface UserView {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'editor' | 'viewer';
  disabled: boolean;
  createdAt: number;
  lastSignInAt: number | null;
}

const ROLES = ['admin', 'editor', 'viewer'];

const connection = (command: Command) =>
  command.option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`).option('--key <key>', 'admin API key (env WAYMARK_ADMIN_KEY)');

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('see, make and remove the dashboard\'s users (the team: email, password, role)');

  connection(users.command('list').description('the dashboard users, oldest first (never their passwords)').option('--json', 'print the API response'))
    .action(async (options: ConnectionOptions & { json?: boolean }) => {
      const { users: list } = await adminClient(options).request<{ users: UserView[] }>('GET', '/v1/team');
      process.stdout.write(options.json ? `${JSON.stringify({ users: list }, null, 2)}\n` : formatUsers(list));
    });

  connection(
    users
      .command('create')
      .description('make a dashboard user; its password is WAYMARK_USER_PASSWORD, or a random one printed this once')
      .requiredOption('--email <email>', 'what the user signs in with')
      .requiredOption('--role <role>', 'admin, editor or viewer')
      .option('--name <name>', 'shown in the dashboard (default: the email before the @)'),
  ).action(async (options: ConnectionOptions & { email: string; role: string; name?: string }) => {
    if (!ROLES.includes(options.role)) throw new CliError(`"${options.role}" is not a role: admin, editor or viewer`);
    const given = process.env.WAYMARK_USER_PASSWORD;
    const password = given || generatePassword();
    const body = { email: options.email, role: options.role, password, ...(options.name ? { name: options.name } : {}) };
    const made = await adminClient(options).request<UserView>('POST', '/v1/team', body);
    process.stdout.write(`${made.role} ${made.email} (id ${made.id}) made\n`);
    if (!given) process.stdout.write(`password, shown this once:\n${password}\n`);
  });

  connection(users.command('remove').description('remove a dashboard user (not the last enabled admin); its sessions end at once').argument('<user>', 'its email or id, from `waymark users list`'))
    .action(async (who: string, options: ConnectionOptions) => {
      const client = adminClient(options);
      const { users: list } = await client.request<{ users: UserView[] }>('GET', '/v1/team');
      const user = list.find((u) => u.id === who || u.email.toLowerCase() === who.toLowerCase());
      if (!user) throw new CliError(`no dashboard user "${who}": see \`waymark users list\``);
      await client.request('DELETE', `/v1/team/${encodeURIComponent(user.id)}`);
      process.stdout.write(`${user.email} removed\n`);
    });
}

const when = (at: number | null) => (at === null ? '-' : new Date(at).toISOString().slice(0, 16).replace('T', ' '));

export function formatUsers(list: UserView[]): string {
  return table([
    ['ID', 'EMAIL', 'ROLE', 'STATE', 'LAST SIGN-IN', 'NAME'],
    ...list.map((u) => [u.id, u.email, u.role, u.disabled ? 'disabled' : 'active', when(u.lastSignInAt), u.name]),
  ]);
}
