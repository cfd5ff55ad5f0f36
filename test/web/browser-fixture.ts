/**
 * The browser test's world: the dashboard built from the current source, a real `waymark serve` on a fresh
 * SQLite file with example journeys, and Debian's Chromium driven by playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Newest modification time under `dir`, skipping build output and dependencies. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'build'].includes(entry.name) || entry.name === 'schema.d.ts') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds web/dist unless it is newer than every source file of the dashboard and of the API it reads. */
export function ensureDashboardBuilt(): void {
  const index = join(ROOT, 'web', 'dist', 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs > Math.max(newest(join(ROOT, 'web')), newest(join(ROOT, 'src', 'api')))) return;
  const built = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`npm run build:web failed:\n${built.stdout}\n${built.stderr}`);
}

export interface Served {
  url: string;
  admin: string;
  write: string;
  /** The dashboard's address as the startup output gives it. */
  dashboard: string;
  /** Stops the server and removes its database. */
  close(): Promise<void>;
}

/**
 * `waymark serve` on a new database; its first-start output gives the keys. (No after() here: called from a
 * before hook, node's test runner would run it when the hook ends.)
 */
export async function serve(examples: string[]): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'waymark-web-'));
  const db = join(dir, 'waymark.db');
  const args = ['--import', 'tsx', join(ROOT, 'test', 'web', 'serve-cli.ts'), 'serve', '--db', db, '--port', '0', '--example', ...examples.map((e) => join(ROOT, e))];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAYMARK_ADMIN_KEY: '', WAYMARK_WRITE_KEY: '' } });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const close = async () => {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  return new Promise<Served>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`waymark serve exited with ${code}:\n${output}`)));
    child.on('error', reject);
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const url = /listening on (http:\/\/\S+?) /.exec(output)?.[1];
      const admin = /admin key: (wm_admin_\S+)/.exec(output)?.[1];
      const write = /write key: (wm_write_\S+)/.exec(output)?.[1];
      const dashboard = /Dashboard: (\S+)/.exec(output)?.[1];
      if (url && admin && write && dashboard) resolve({ url, admin, write, dashboard, close });
    });
  });
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does it when run as root)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
