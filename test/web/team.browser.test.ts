/**
 * Access management in a real browser against a real server: the first admin user (made with the admin key)
 * signs in by password, makes a write key on the Keys page (shown once, copied), is refused revoking the last
 * admin key with the API's message, adds an editor on the Team page; the editor signs in and sees neither
 * Keys nor Team. Each page is checked with axe-core.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type DashboardPage, type Served } from './browser-fixture.ts';

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
let shoot: DashboardPage['shoot'];

before(async () => {
  ensureDashboardBuilt();
  server = await serve([]);
  const made = await fetch(`${server.url}/v1/team`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ana@example.com', name: 'Ana Admin', role: 'admin', password: 'ana-password-12' }),
  });
  assert.equal(made.status, 201);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function signIn(email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
}

test('an admin signs in with email and password; the top bar says who', async () => {
  await page.goto(server!.dashboard);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.getByLabel('Admin key').count(), 0, 'with users, email and password come first');
  await checkAccessibility('sign-in by password');
  await shoot('team-1-sign-in');
  await signIn('ana@example.com', 'ana-password-12');
  const bar = page.getByRole('banner');
  await bar.getByText('Ana Admin').waitFor();
  assert.equal(await bar.locator('.role-badge').innerText(), 'admin');
  assert.deepEqual(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts(), ['Journeys', 'Users', 'Messages', 'Settings', 'Keys', 'Team']);
});

test('the Keys page makes a write key shown once with a copy button, and refuses to revoke the last admin key', async () => {
  await page.getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
  await page.getByRole('row').filter({ hasText: 'first admin key' }).waitFor();
  await checkAccessibility('keys');

  await page.getByLabel('Kind').selectOption('write');
  await page.getByLabel('Name').fill('iOS app');
  await page.getByRole('button', { name: 'Create key' }).click();
  const shown = page.getByLabel('The new key');
  await shown.waitFor();
  const key = await shown.innerText();
  assert.match(key, /^wm_write_[A-Za-z0-9_-]{32}$/);
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
  const ingest = await fetch(`${server!.url}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'u1', event: 'Opened' }) });
  assert.equal(ingest.status, 200, 'the key shown works');
  const row = page.getByRole('row').filter({ hasText: 'iOS app' });
  assert.match(await row.innerText(), new RegExp(`${key.slice(0, 12)}…`));
  await checkAccessibility('keys with a new key');
  await shoot('team-2-keys');
  await page.getByRole('button', { name: 'Done' }).click();
  assert.equal(await page.getByLabel('The new key').count(), 0, 'shown once');

  await page.getByRole('button', { name: 'Revoke first admin key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this key?' });
  await dialog.waitFor();
  await checkAccessibility('keys: revoke confirm');
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('alert').filter({ hasText: 'is the last admin key' }).waitFor();
  await page.getByRole('row').filter({ hasText: 'first admin key' }).waitFor();
  // The refusal was the API's 409, which the page reported: expected, not a problem of the page.
  problems.splice(0, problems.length, ...problems.filter((p) => !/^409 DELETE \/v1\/keys\//.test(p)));
});

test('the Team page adds an editor with a role and an initial password', async () => {
  await page.getByRole('link', { name: 'Team' }).click();
  await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
  await page.getByRole('row').filter({ hasText: 'ana@example.com' }).waitFor();
  await checkAccessibility('team');
  await page.getByLabel('Email').fill('ed@example.com');
  await page.getByLabel('Name (optional)').fill('Ed Editor');
  await page.getByLabel('Role', { exact: true }).selectOption('editor');
  await page.getByLabel('Initial password').fill('ed-password-123');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const row = page.getByRole('row').filter({ hasText: 'ed@example.com' });
  await row.waitFor();
  assert.equal(await row.getByLabel('Role of ed@example.com').inputValue(), 'editor');
  await checkAccessibility('team with an editor');
  await shoot('team-3-team');
});

test('the editor signs in and sees neither Keys nor Team', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await signIn('ed@example.com', 'ed-password-123');
  assert.deepEqual(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts(), ['Journeys', 'Users', 'Messages', 'Settings']);
  assert.equal(await page.getByRole('banner').locator('.role-badge').innerText(), 'editor');
  await page.getByRole('button', { name: 'New journey' }).first().waitFor(); // an editor edits journeys
  await page.getByRole('heading', { name: 'No journeys yet' }).waitFor();
  await checkAccessibility('journeys as an editor');
  await shoot('team-4-editor');
  assert.deepEqual(problems, []);
});
