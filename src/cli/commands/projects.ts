/**
 * `waymark projects list|create`: the projects of a running server (GET, POST /v1/projects). A project made is
 * printed with its first keys, once. Every other command works in the project of the key it is given.
 */
import type { Command } from 'commander';
import { CliError } from '../errors.ts';
import { adminClient, DEFAULT_URL, type ConnectionOptions } from '../http.ts';
import { table } from '../table.ts';

interface ProjectView {
  id: string;
  name: string;
  createdAt: number | null;
}

const connection = (command: Command) =>
  command.option('--url <url>', `Waymark API address (env WAYMARK_URL, default ${DEFAULT_URL})`).option('--key <key>', 'admin API key (env WAYMARK_ADMIN_KEY)');

const ID = /^[a-z][a-z0-9-]{0,31}$/;

export function registerProjectCommands(program: Command): void {
  const projects = program.command('projects').description('see and make the projects of a running server: each has its own data, engine and keys');

  connection(projects.command('list').description('the projects, the default first (another project\'s key sees only its own)').option('--json', 'print the API response'))
    .action(async (options: ConnectionOptions & { json?: boolean }) => {
      const { projects: list } = await adminClient(options).request<{ projects: ProjectView[] }>('GET', '/v1/projects');
      process.stdout.write(options.json ? `${JSON.stringify({ projects: list }, null, 2)}\n` : formatProjects(list));
    });

  connection(
    projects
      .command('create')
      .description("make a project (with the default project's admin key); its first keys are printed this once")
      .argument('<id>', 'lowercase letters, digits and dashes, a letter first (at most 32): it names the project in URLs')
      .requiredOption('--name <name>', 'what people see, e.g. "Shop B"'),
  ).action(async (id: string, options: ConnectionOptions & { name: string }) => {
    if (!ID.test(id) || id === 'default') throw new CliError(`"${id}" cannot be a project id: use 1 to 32 lowercase letters, digits and dashes, a letter first, not "default"`);
    const made = await adminClient(options).request<{ project: ProjectView; keys: { admin: string; write: string } }>('POST', '/v1/projects', { id, name: options.name });
    process.stdout.write(
      `project ${made.project.id} ("${made.project.name}") made. Its keys, shown this once:\n` +
        `  admin key: ${made.keys.admin}\n  write key: ${made.keys.write}\n` +
        `Every command and API call with these keys works in ${made.project.id} only. Public links (tracking, unsubscribe, Twilio callbacks) of ${made.project.id} need its providers' publicUrl to end in /p/${made.project.id}.\n`,
    );
  });
}

export function formatProjects(list: ProjectView[]): string {
  return table([['ID', 'CREATED', 'NAME'], ...list.map((p) => [p.id, p.createdAt === null ? '-' : new Date(p.createdAt).toISOString().slice(0, 16).replace('T', ' '), p.name])]);
}
