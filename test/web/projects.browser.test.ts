/**
 * Projects in the dashboard, in a real browser against a real server: an admin makes "Shop B" from the project
 * menu (a bad id gets the server's message under the id field), sees its two keys once, lands in the empty
 * Shop B and makes a journey there, which the API finds in Shop B only; switching shows each project's
 * journeys and no other's, a reload keeps the project, an unsaved copy of journey "welcome" stays in its
 * project, a viewer switches without "New project…", and a project the server does not know falls back to the
 * default one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type DashboardPage, type Served, signInAs } from './browser-fixture.ts';

const PEOPLE = [
  { email: 'ada@example.com', name: 'Ada Admin', role: 'admin', password: 'ada-password-12' },
  { email: 'vic@example.com', name: 'Vic Viewer', role: 'viewer', password: 'vic-password-12' },
] as const;
const DEFAULT_JOURNEY = 'Abandoned cart recovery';

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
let shoot: DashboardPage['shoot'];
/** Shop B's keys, as the dialog showed them. */
let shopKeys: { admin: string; write: string };
let shopJourney: string;

async function api(key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

const welcome = (name: string) => ({
  id: 'welcome',
  definition: { name, nodes: [{ id: 'entry', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, { id: 'exit', kind: 'exit' }], edges: [{ from: 'entry', to: 'exit' }] },
});

before(async () => {
  ensureDashboardBuilt();
  server = await serve(['examples/abandoned-cart.json']);
  for (const person of PEOPLE) assert.equal((await api(server.admin, 'POST', '/v1/team', person)).status, 201);
  assert.equal((await api(server.admin, 'POST', '/v1/journeys', welcome('Default welcome'))).status, 201);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const signIn = (email: string, password: string) => signInAs(page, server!.dashboard, email, password);

const projectButton = () => page.getByRole('banner').getByRole('button', { name: /^Project: / });
const menu = () => page.getByRole('menu', { name: 'Projects' });
const rows = () => page.getByRole('table').getByRole('link').allInnerTexts();

/** Opens the menu and picks a project, then waits for that project's journeys. */
async function switchTo(name: string): Promise<void> {
  await projectButton().click();
  await menu().getByRole('menuitemradio').filter({ hasText: name }).click();
  await page.getByRole('button', { name: `Project: ${name}` }).waitFor();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
}

/** The journeys listed, once the list has been read. */
async function listed(): Promise<string[]> {
  await page.getByRole('table').or(page.getByRole('heading', { name: 'No journeys yet' })).first().waitFor();
  return (await page.getByRole('table').count()) > 0 ? (await rows()).sort() : [];
}

test('with the default project alone, a viewer has no project menu', async () => {
  await signIn('vic@example.com', 'vic-password-12');
  await page.getByRole('table').getByRole('link', { name: DEFAULT_JOURNEY }).waitFor();
  assert.equal(await projectButton().count(), 0);
  assert.deepEqual(problems, []);
});

test("an admin's project menu is there before the list of projects comes: the links beside it do not move", async () => {
  // The list is held until the Keys link has been measured (a click on it, under load, landed on another link
  // when the menu appeared beside it).
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/v1/projects', async (route) => {
    await held;
    await route.continue();
  });
  await signIn('ada@example.com', 'ada-password-12');
  const keys = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' });
  await keys.waitFor();
  const before = await keys.boundingBox();
  const listed = page.waitForResponse((r) => r.url().endsWith('/v1/projects') && r.request().method() === 'GET');
  release();
  await listed;
  await projectButton().click();
  await menu().getByRole('menuitemradio', { checked: true }).waitFor(); // the list is in
  await page.keyboard.press('Escape');
  assert.deepEqual(await keys.boundingBox(), before);
  await page.unroute('**/v1/projects');
});

test('an admin has the menu even with the default project alone, to find "New project…"', async () => {
  await signIn('ada@example.com', 'ada-password-12');
  const button = page.getByRole('button', { name: 'Project: Default' });
  await button.waitFor();
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  await button.click();
  await menu().waitFor();
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  const current = menu().getByRole('menuitemradio', { checked: true });
  assert.deepEqual(await current.locator('.project-item-name').allInnerTexts(), ['Default']);
  assert.equal(await current.evaluate((item) => item === document.activeElement), true, 'the current project has the focus');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'New project…');
  await checkAccessibility('the project menu');
  await page.keyboard.press('Escape');
  await menu().waitFor({ state: 'detached' });
  assert.equal(await button.evaluate((b) => b === document.activeElement), true, 'Escape gives the focus back to the button');
  assert.deepEqual(problems, []);
});

test('a bad id gets a message under the id field: the shape from the page, "default" from the server', async () => {
  await projectButton().click();
  await menu().getByRole('menuitem', { name: 'New project…' }).click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.waitFor();
  await dialog.getByLabel('Name').fill('Shop B');
  const id = dialog.getByLabel('Id');
  assert.equal(await id.inputValue(), 'shop-b', 'the id follows the name');
  const error = dialog.locator('.field-error');

  await id.fill('Shop B');
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await error.waitFor();
  assert.equal(await error.innerText(), 'An id is 1 to 32 lowercase letters, digits and dashes, starting with a letter.');
  assert.deepEqual(problems, [], 'not asked of the server');

  await id.fill('default');
  await dialog.getByLabel('Name').fill('Shop B!');
  assert.equal(await id.inputValue(), 'default', 'an id typed in no longer follows the name');
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await error.filter({ hasText: 'got "default"' }).waitFor();
  assert.equal(await error.innerText(), 'a project id is 1 to 32 lowercase letters, digits and dashes, starting with a letter, and not "default"; got "default"');
  assert.equal(await id.getAttribute('aria-invalid'), 'true');
  const describedBy = (await id.getAttribute('aria-describedby'))!.split(' ');
  assert.ok(describedBy.includes((await error.getAttribute('id'))!), 'the message is the field’s');
  assert.equal(await id.evaluate((input) => input === document.activeElement), true, 'the field named has the focus');
  assert.equal(await dialog.getByLabel('Name').getAttribute('aria-invalid'), null, 'the name is not blamed');
  await checkAccessibility('the new-project dialog with the server’s message');
  await shoot('projects-3-server-message');
  assert.deepEqual(problems, ['400 POST /v1/projects']);
  problems.length = 0;
});

test('made: its two keys shown once with copy buttons; then the dashboard is in the empty Shop B', async () => {
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('Shop B');
  await dialog.getByLabel('Id').fill('shop-b');
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await page.getByRole('dialog', { name: 'Shop B is ready' }).waitFor();
  await dialog.getByRole('alert').filter({ hasText: 'Shown once.' }).waitFor();
  shopKeys = { admin: await dialog.getByLabel('Admin key of Shop B').innerText(), write: await dialog.getByLabel('Write key of Shop B').innerText() };
  assert.match(shopKeys.admin, /^wm_admin_[A-Za-z0-9_-]{32}$/);
  assert.match(shopKeys.write, /^wm_write_[A-Za-z0-9_-]{32}$/);

  const writeKey = dialog.getByRole('region', { name: 'Write key' });
  await writeKey.getByRole('button', { name: 'Copy' }).click();
  await writeKey.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shopKeys.write);
  const adminKey = dialog.getByRole('region', { name: 'Admin key' });
  await adminKey.getByRole('button', { name: 'Copy' }).click();
  await adminKey.getByRole('button', { name: 'Copied' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shopKeys.admin);
  await checkAccessibility('the new project’s keys');
  await shoot('projects-2-new-project-keys');

  // The keys are Shop B's: its admin key sees Shop B alone, with no journey; the write key sends to it.
  const seen = await api(shopKeys.admin, 'GET', '/v1/projects');
  assert.deepEqual(seen.body.projects.map((p: { id: string; name: string }) => [p.id, p.name]), [['shop-b', 'Shop B']]);
  assert.deepEqual((await api(shopKeys.admin, 'GET', '/v1/journeys')).body.journeys, []);
  assert.equal((await api(shopKeys.write, 'POST', '/v1/events', { userId: 'u1', event: 'Opened' })).status, 200);

  await dialog.getByRole('button', { name: 'I have copied them: open Shop B' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Project: Shop B' }).waitFor();
  await page.getByRole('heading', { name: 'No journeys yet' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/journeys');
  assert.equal(await page.title(), 'Journeys · Shop B · Waymark');

  // Shown once: the Keys page of Shop B lists the two keys by their first characters, never whole.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
  await page.getByRole('row').filter({ hasText: 'first write key' }).waitFor();
  assert.equal(await page.getByRole('row').filter({ hasText: 'first admin key' }).count(), 1);
  const text = await page.locator('main').innerText();
  assert.ok(text.includes(`${shopKeys.admin.slice(0, 12)}…`), 'Shop B’s admin key, by its start');
  assert.ok(!text.includes(shopKeys.admin) && !text.includes(shopKeys.write), 'no key whole');
  assert.equal(await page.title(), 'Keys · Shop B · Waymark');
  assert.deepEqual(problems, []);
});

test('a journey made in Shop B is Shop B’s, as the API says with Shop B’s key', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Journeys' }).click();
  await page.getByRole('heading', { name: 'No journeys yet' }).waitFor();
  await page.getByRole('button', { name: 'New journey' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New journey' });
  await dialog.getByLabel('Name').fill('Shop B launch');
  await dialog.getByLabel('Users enter when they do').fill('Order Placed');
  await dialog.getByRole('button', { name: 'Create draft' }).click();
  await page.waitForURL(/\/journeys\/[^/]+$/);
  shopJourney = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
  assert.equal(shopJourney, 'shop-b-launch', 'the id, a slug of the name');
  await page.locator('.node-card[data-node-id="entry"]').waitFor();

  const inShop = await api(shopKeys.admin, 'GET', `/v1/journeys/${shopJourney}`);
  assert.equal(inShop.status, 200);
  assert.equal(inShop.body.name, 'Shop B launch');
  assert.equal((await api(server!.admin, 'GET', `/v1/journeys/${shopJourney}`)).status, 404, 'not in the default project');
  assert.deepEqual(problems, []);
});

test('switching shows each project’s journeys and no other’s', async () => {
  await switchTo('Default');
  assert.deepEqual(await listed(), [DEFAULT_JOURNEY, 'Default welcome']);
  assert.equal(await page.title(), 'Journeys · Default · Waymark');
  await projectButton().click();
  const items = menu().getByRole('menuitemradio');
  assert.deepEqual(await items.locator('.project-item-name').allInnerTexts(), ['Default', 'Shop B']);
  assert.deepEqual(await items.evaluateAll((all) => all.map((i) => i.getAttribute('aria-checked'))), ['true', 'false']);
  await menu().getByRole('menuitem', { name: 'New project…' }).waitFor();
  await checkAccessibility('the menu of two projects');
  await shoot('projects-1-menu');
  await page.keyboard.press('Escape');

  await switchTo('Shop B');
  assert.deepEqual(await listed(), ['Shop B launch']);
  assert.deepEqual(problems, []);
});

test('a reload keeps the project chosen', async () => {
  await page.reload();
  await page.getByRole('button', { name: 'Project: Shop B' }).waitFor();
  assert.deepEqual(await listed(), ['Shop B launch']);
  assert.equal(await page.evaluate(() => localStorage.getItem('waymark:project')), 'shop-b');
  assert.deepEqual(problems, []);
});

test('an id taken gets the server’s message under the id field', async () => {
  await projectButton().click();
  await menu().getByRole('menuitem', { name: 'New project…' }).click();
  const dialog = page.getByRole('dialog', { name: 'New project' });
  await dialog.getByLabel('Name').fill('Shop B');
  await dialog.getByRole('button', { name: 'Create project' }).click();
  await dialog.locator('.field-error').filter({ hasText: 'exists' }).waitFor();
  assert.equal(await dialog.locator('.field-error').innerText(), 'a project "shop-b" exists already');
  assert.equal(await dialog.getByLabel('Id').getAttribute('aria-invalid'), 'true');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(problems, ['409 POST /v1/projects']);
  problems.length = 0;
});

test('an unsaved copy of journey "welcome" stays in its project: not offered for the default project’s "welcome"', async () => {
  assert.equal((await api(shopKeys.admin, 'POST', '/v1/journeys', welcome('Shop B welcome'))).status, 201);
  await page.goto(`${server!.url}/journeys/welcome`);
  await page.getByRole('heading', { name: 'Shop B welcome', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Add Delay' }).click();
  await page.locator('.node-card[data-node-id="delay-1"]').waitFor();
  // At once, within the pause before the copy is written: the switch writes it, under Shop B.
  await switchTo('Default');
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('waymark:unsaved:')));
  assert.deepEqual(kept, ['waymark:unsaved:shop-b:welcome']);

  await page.getByRole('table').getByRole('link', { name: 'Default welcome' }).click();
  await page.getByRole('heading', { name: 'Default welcome', level: 1 }).waitFor();
  await page.locator('.node-card[data-node-id="exit"]').waitFor();
  assert.equal(await page.getByText('This browser kept unsaved changes to this journey').count(), 0, 'no offer here');
  assert.equal(await page.locator('.node-card[data-node-id="delay-1"]').count(), 0);

  await switchTo('Shop B');
  await page.getByRole('table').getByRole('link', { name: 'Shop B welcome' }).click();
  await page.getByText('This browser kept unsaved changes to this journey').waitFor();
  await page.getByRole('button', { name: 'Restore them' }).click();
  await page.locator('.node-card[data-node-id="delay-1"]').waitFor();
  await page.keyboard.press('Control+z');
  await page.locator('.node-card[data-node-id="delay-1"]').waitFor({ state: 'detached' });
  await page.waitForFunction(() => localStorage.getItem('waymark:unsaved:shop-b:welcome') === null);
  assert.deepEqual(problems, []);
});

test('a viewer has the menu of two projects, without "New project…", and switches', async () => {
  await signIn('vic@example.com', 'vic-password-12');
  await page.getByRole('button', { name: 'Project: Shop B' }).waitFor();
  await projectButton().click();
  assert.deepEqual(await menu().getByRole('menuitemradio').locator('.project-item-name').allInnerTexts(), ['Default', 'Shop B']);
  assert.equal(await menu().getByRole('menuitem').count(), 0, 'no "New project…"');
  await page.keyboard.press('Escape');
  await switchTo('Default');
  assert.deepEqual(await listed(), [DEFAULT_JOURNEY, 'Default welcome']);
  assert.deepEqual(problems, []);
});

test('a project the server does not know sends the dashboard to the default project', async () => {
  await switchTo('Shop B');
  await page.evaluate(() => localStorage.setItem('waymark:project', 'closed-shop'));
  await page.reload();
  await page.getByRole('button', { name: 'Project: Default' }).waitFor();
  await page.getByRole('alert').filter({ hasText: 'The server has no project “closed-shop”: you are in the default project.' }).waitFor();
  assert.deepEqual(await listed(), [DEFAULT_JOURNEY, 'Default welcome']);
  assert.equal(await page.evaluate(() => localStorage.getItem('waymark:project')), 'default');
  assert.deepEqual(problems, ['404 GET /v1/session']);
  problems.length = 0;
});
