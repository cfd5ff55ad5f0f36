/**
 * The browser test's world: the dashboard built from the current source, a real `waymark serve` on a fresh
 * SQLite file with example journeys (or none), and Debian's Chromium driven by playwright-core.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers.ts';
import { stopWithin } from '../stop-server.ts';

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

/** Whether web/dist is newer than every source file of the dashboard and of the API it reads. */
function dashboardFresh(): boolean {
  const index = join(ROOT, 'web', 'dist', 'index.html');
  return existsSync(index) && statSync(index).mtimeMs > Math.max(newest(join(ROOT, 'web')), newest(join(ROOT, 'src', 'api')));
}

/** Held while one test file builds the dashboard; a lock older than this was left by a process that died. */
const BUILD_LOCK = join(ROOT, 'web', '.build-lock');
const STALE_LOCK_MS = 10 * 60_000;

/**
 * Builds web/dist unless it is fresh. Test files run two at a time and two Vite builds at once refuse each
 * other: the first to take the lock (a directory, made atomically) builds, the other waits for it and finds
 * the dashboard fresh.
 */
export function ensureDashboardBuilt(): void {
  if (dashboardFresh()) return;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (dashboardFresh()) return;
      if (existsSync(BUILD_LOCK) && Date.now() - statSync(BUILD_LOCK).mtimeMs > STALE_LOCK_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250); // a synchronous pause: the caller is a synchronous hook
    }
  }
  try {
    if (dashboardFresh()) return;
    const built = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`npm run build:web failed:\n${built.stdout}\n${built.stderr}`);
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export interface Served {
  url: string;
  admin: string;
  write: string;
  /** The dashboard's address as the startup output gives it. */
  dashboard: string;
  /** The server's SQLite file, for a test to seed what the API cannot make. */
  db: string;
  /**
   * A JSON request with `key`, as an integration would make it; fails unless answered 2xx, with the server's
   * log when it answered 5xx (its reply says only "see the server log").
   */
  call(key: string, method: string, path: string, body?: unknown): Promise<any>;
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
  const example = examples.length > 0 ? ['--example', ...examples.map((e) => join(ROOT, e))] : [];
  const args = ['--import', 'tsx', join(ROOT, 'test', 'web', 'serve-cli.ts'), 'serve', '--db', db, '--port', '0', ...example];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WAYMARK_ADMIN_KEY: '', WAYMARK_WRITE_KEY: '' } });
  const close = async () => {
    await stopWithin(child, () => output);
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
      if (url && admin && write && dashboard) resolve({ url, admin, write, dashboard, db, close, call: (...args) => call(url, () => output, ...args) });
    });
  });
}

async function call(url: string, log: () => string, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const answer = await response.json();
  const serverLog = response.status >= 500 ? `\nthe server's log, its end:\n${log().slice(-6000)}` : '';
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(answer)}${serverLog}`);
  return answer;
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does it when run as root)`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

const SCREENSHOTS = join(ROOT, 'test', 'web', 'screenshots');

/** A page of the dashboard with what every browser test checks on it. */
export interface DashboardPage {
  page: Page;
  /** Console errors and failed requests: a page that works but logs errors (a CSP refusal, say) still fails. */
  problems: string[];
  /** No serious or critical axe-core violation on the page as it is now. */
  checkAccessibility(name: string): Promise<void>;
  /** A screenshot under test/web/screenshots/ (git ignores it), for people to look at. */
  shoot(name: string, fullPage?: boolean): Promise<void>;
}

/** A fresh 1440x900 page in `browser`, recording its problems. */
export async function openPage(browser: Browser): Promise<DashboardPage> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: string[] = [];
  // Failed requests are tracked with their URLs; the console's copy of them names none.
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return {
    page,
    problems,
    async checkAccessibility(name) {
      await page.evaluate(axe.source);
      const result = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }));
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(
        serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
        [],
        `${name}: no serious accessibility violations`,
      );
    },
    async shoot(name, fullPage = false) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
    },
  };
}

/** Signs in by email and password from wherever the page is (signing out first), and waits for the journeys. */
export async function signInAs(page: Page, dashboard: string, email: string, password: string): Promise<void> {
  await page.goto(dashboard);
  const out = page.getByRole('button', { name: 'Sign out' });
  const form = page.getByRole('heading', { name: 'Sign in' });
  await out.or(form).first().waitFor();
  if (await out.isVisible()) await out.click();
  await form.waitFor();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
}
