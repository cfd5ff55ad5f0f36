/**
 * What ships: `npm run build` into a temporary folder laid out like the package (bin/, dist/, package.json,
 * node_modules), then the real bin/waymark.mjs run over it. Every other CLI test runs the source (run.ts).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, tempDir } from '../helpers.ts';
import { cartWorkload, writeWorkload } from '../sim/workload.ts';
import { runCli, serve } from './run.ts';

/** A copy of the package's launcher and manifest, sharing the repository's node_modules. */
function packageLayout(dir: string): string[] {
  mkdirSync(join(dir, 'bin'));
  copyFileSync(join(ROOT, 'bin', 'waymark.mjs'), join(dir, 'bin', 'waymark.mjs'));
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json')); // "type": "module" for dist/*.js
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return [join(dir, 'bin', 'waymark.mjs')];
}

test('npm run build: the compiled bin answers --help like the source and serves /health on a fresh database', async () => {
  const dir = tempDir('waymark-build-');
  await promisify(execFile)('npm', ['run', 'build', '--', join(dir, 'dist')], { cwd: ROOT });
  const bin = packageLayout(dir);

  // The SQL migrations sit beside the compiled stores, where they are looked up: each store's, all of them.
  for (const store of ['sqlite', 'postgres']) {
    const sources = readdirSync(join(ROOT, 'src', 'store', store, 'migrations')).sort();
    assert.ok(sources.includes('001_init.sql'), store);
    assert.deepEqual(readdirSync(join(dir, 'dist', 'store', store, 'migrations')).sort(), sources);
  }
  assert.equal(existsSync(join(dir, 'dist', 'cli', 'main.ts')), false);

  const [compiled, source] = await Promise.all([runCli(['--help'], {}, bin), runCli(['--help'])]);
  assert.equal(compiled.code, 0, compiled.stderr);
  assert.match(compiled.stdout, /^Usage: waymark \[options\] \[command\]\n\nWaymark: self-hosted customer-journey orchestration\n/);
  assert.equal(compiled.stdout, source.stdout);

  const server = await serve(join(dir, 'data', 'waymark.db'), {}, bin);
  try {
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true });
    assert.match(server.output().stdout, /example journey abandoned-cart created from examples\/abandoned-cart\.json and published \(version 1\)/);
  } finally {
    await server.stop();
  }

  // simulate's threads start from the compiled files too (a thread's entry is its module's .js beside it).
  const workload = writeWorkload(join(dir, 'workload'), cartWorkload({ users: 40, spanMs: 60_000, windowMs: 120_000, delayMs: 7_200_000, sameMillisecond: 1 }));
  const simulated = await runCli(['simulate', '--journey', join(ROOT, 'examples', 'abandoned-cart.json'), '--profiles', workload.profiles, '--events', workload.events, '--out', join(dir, 'sim'), '--threads', '2'], {}, bin);
  assert.equal(simulated.code, 0, simulated.stderr);
  assert.match(simulated.stdout, /^simulated abandoned-cart: 40 users, .* on 2 threads, /);

  // `npm start` as a user or a container runs it: a SIGTERM to npm stops the server gracefully, not npm alone.
  symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));
  const npm = spawn('npm', ['start', '--', '--db', join(dir, 'data', 'start.db'), '--port', '0'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  npm.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  npm.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
  after(() => npm.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    npm.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`npm start exited:\n${output}`)));
  });
  npm.kill('SIGTERM');
  assert.equal(await exited, 0, output);
  assert.match(output, /SIGTERM: stopping \(finishing requests and queued work\)\.\.\.\nstopped\n/);
  await assert.rejects(fetch(`${url}/health`), 'the server is gone with npm');
});

test('the bin without a build says in one line to run npm run build, and exits 1', async () => {
  const bin = packageLayout(tempDir('waymark-unbuilt-'));
  const result = await runCli(['--help'], {}, bin);
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, 'waymark: no compiled build (dist/cli/main.js is missing): run `npm run build` first\n');
});
