/**
 * The Dockerfile and docker-compose.yml, checked against the code (no Docker engine runs here to build them):
 * every option a compose command passes is one `waymark` accepts, every environment variable one the code
 * reads, the database URL points at the compose PostgreSQL with its credentials; the image's entry point is
 * the package's real bin, it runs as a user other than root, and checks /ready.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/main.ts';
import { ROOT } from '../helpers.ts';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The environment variables src/ reads (`env.NAME`, `process.env.NAME`). */
function settingsRead(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]!);
    }
  };
  walk(join(ROOT, 'src'));
  return names;
}

/** The options of `waymark <args>` that commander would take, or the reason it would not. */
function checkCommand(args: string[]): string[] {
  const problems: string[] = [];
  const [name, ...rest] = args;
  const command = buildProgram().commands.find((c) => c.name() === name);
  if (!command) return [`no command "${name}"`];
  const options = new Map(command.options.map((o) => [o.long, o]));
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (!arg.startsWith('--')) {
      problems.push(`"${arg}" is no option`);
      continue;
    }
    const option = options.get(arg);
    if (!option) problems.push(`${name} has no option ${arg}`);
    else if (option.required || option.optional) {
      const value = rest[++i];
      if (value === undefined) problems.push(`${arg} needs a value`);
      else if (option.parseArg) {
        try {
          option.parseArg(value, undefined);
        } catch (error) {
          problems.push(`${arg} ${value}: ${(error as Error).message}`);
        }
      }
    }
  }
  return problems;
}

interface Service {
  image?: string;
  build?: unknown;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };

test('the check itself refuses what waymark would refuse', () => {
  assert.deepEqual(checkCommand(['serve', '--role', 'api']), []);
  assert.deepEqual(checkCommand(['serve', '--rol', 'api']), ['serve has no option --rol', '"api" is no option']);
  assert.equal(checkCommand(['serve', '--port', 'x']).length, 1);
  assert.deepEqual(checkCommand(['serv']), ['no command "serv"']);
  assert.ok(settingsRead().has('DATABASE_URL') && !settingsRead().has('DATABASE_URI'));
});

test('docker-compose.yml: PostgreSQL 15, an api and a worker, every option and setting one the code takes', () => {
  const { postgres, api, worker } = compose.services;
  assert.ok(postgres && api && worker, 'services postgres, api and worker');
  assert.match(postgres.image ?? '', /^postgres:15(\.|$|-)/);
  const settings = settingsRead();
  for (const [name, service] of [['api', api], ['worker', worker]] as const) {
    assert.equal(service.build, '.', `${name} is built from the Dockerfile`);
    if (service.entrypoint) {
      // Node's own options, then the package's bin, as the image's entry point runs it.
      const [node, ...rest] = service.entrypoint;
      const bin = rest.find((arg) => !arg.startsWith('--'));
      assert.equal(node, 'node', `${name}'s entry point runs node`);
      assert.equal(bin, (JSON.parse(read('package.json')) as { bin: Record<string, string> }).bin.waymark, `${name}'s entry point runs the package's bin`);
      const flags = rest.slice(0, rest.indexOf(bin!));
      for (const flag of flags) assert.ok(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0]!), `${name}: node takes ${flag}`);
    }
    assert.ok(service.command, `${name} has a command`);
    assert.deepEqual(checkCommand(service.command), [], `${name}: ${service.command.join(' ')}`);
    const role = service.command[service.command.indexOf('--role') + 1];
    assert.equal(role, name, `${name} runs --role ${name}`);
    for (const variable of Object.keys(service.environment ?? {})) assert.ok(settings.has(variable), `${name}: ${variable} is read by the code`);
    // The URL reaches the compose PostgreSQL as its user, password and database.
    const url = new URL(service.environment?.DATABASE_URL ?? '');
    assert.equal(url.protocol, 'postgres:');
    assert.equal(url.hostname, 'postgres');
    assert.equal(url.username, postgres.environment?.POSTGRES_USER);
    assert.equal(decodeURIComponent(url.password), postgres.environment?.POSTGRES_PASSWORD);
    assert.equal(url.pathname, `/${postgres.environment?.POSTGRES_DB}`);
    assert.ok(service.depends_on?.postgres, `${name} waits for postgres`);
  }
});

test('Dockerfile: multi-stage, the real bin as entry point, a user other than root, a health check on /ready', () => {
  const lines = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = lines.filter((l) => /^FROM /i.test(l));
  assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
  const runtime = lines.slice(lines.lastIndexOf(stages.at(-1)!));
  const instruction = (name: string) => runtime.filter((l) => l.toUpperCase().startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());
  const json = (text: string | undefined) => JSON.parse(text ?? 'null') as string[];

  const users = instruction('USER');
  assert.equal(users.length > 0, true, 'the runtime stage sets a user');
  assert.ok(!['root', '0'].includes(users.at(-1)!.split(':')[0]!), `runs as ${users.at(-1)}`);

  const entry = json(instruction('ENTRYPOINT').at(-1));
  assert.equal(entry[0], 'node');
  const pkg = JSON.parse(read('package.json')) as { bin: Record<string, string> };
  assert.equal(entry[1], pkg.bin.waymark, "the package's bin");
  assert.ok(existsSync(join(ROOT, entry[1]!)));
  assert.ok(runtime.some((l) => /^COPY bin bin$/.test(l)) && runtime.some((l) => /^COPY --from=build \/app\/dist dist$/.test(l)), 'the bin and the dist/ it runs are in the image');
  // The SQLite log shim: its source in the build stage before `npm run build` compiles it, its library in the image.
  const build = lines.slice(0, lines.lastIndexOf(stages.at(-1)!));
  const copiedNative = build.findIndex((l) => /^COPY native native$/.test(l));
  assert.ok(copiedNative >= 0 && copiedNative < build.findIndex((l) => /^RUN npm run build\b/.test(l)), 'native/ is in the build stage before `npm run build`');
  assert.ok(runtime.some((l) => /^COPY --from=build \/app\/native\/build native\/build$/.test(l)), 'the compiled shim is in the image');
  const cmd = json(instruction('CMD').at(-1));
  assert.deepEqual(checkCommand(cmd), [], cmd.join(' '));

  assert.match(instruction('HEALTHCHECK').at(-1) ?? '', /\/ready/);
  assert.deepEqual(instruction('EXPOSE'), ['3000']);
  assert.ok(instruction('VOLUME').length > 0, 'a data volume');
  assert.ok(cmd.includes('/data/waymark.db') && instruction('VOLUME').some((v) => v.includes('/data')), 'the SQLite file is in the volume');

  // What the stages copy from the build context exists.
  for (const line of lines.filter((l) => /^COPY (?!--from)/i.test(l))) {
    const sources = line.split(/\s+/).slice(1, -1);
    for (const source of sources) assert.ok(existsSync(join(ROOT, source)), `${source} (${line})`);
  }
});
