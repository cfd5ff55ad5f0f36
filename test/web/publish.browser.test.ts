/**
 * Publishing from the dashboard in a real browser against a real server: the abandoned-cart example runs
 * with two users in flight (u1 and u2 abandoned their carts, got the push, and wait at
 * "wait-2h-before-sms"); the draft is changed over the API, and the Publish dialog shows what changed since
 * version 1 and the checks. A draft with an error is refused with the error listed; the fixed one is
 * published as version 2 with the users moved to it, checked over HTTP; the Versions panel then compares the
 * two. Each step is checked with axe-core and saved as a screenshot under test/web/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import axe from 'axe-core';
import type { Browser, Locator, Page } from 'playwright-core';
import { eventually } from '../api/helpers.ts';
import { ROOT } from '../helpers.ts';
import { ensureDashboardBuilt, launchChromium, serve, type Served } from './browser-fixture.ts';

const SHOTS = join(ROOT, 'test', 'web', 'screenshots');
const JOURNEY = 'abandoned-cart';

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

before(async () => {
  ensureDashboardBuilt();
  mkdirSync(SHOTS, { recursive: true });
  server = await serve(['examples/abandoned-cart.json']);
  await seedCarts(server);
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function api(method: string, path: string, body?: unknown, key = server!.admin): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

/** u1 and u2 added to their carts ten minutes ago and never paid: both entered, got the push, and wait. */
async function seedCarts({ write }: Served): Promise<void> {
  const ago = Date.now() - 10 * 60_000;
  assert.equal((await api('POST', '/v1/profiles', { batch: ['u1', 'u2'].map((userId) => ({ userId, traits: { name: userId, pushToken: `token-${userId}` } })) }, write)).status, 200);
  const added = ['u1', 'u2'].map((userId) => ({ userId, event: 'Added to Cart', timestamp: ago, messageId: `add-${userId}`, properties: { productName: 'Lamp' } }));
  assert.equal((await api('POST', '/v1/events', { batch: added }, write)).status, 200);
  await eventually(async () => ((await api('GET', `/v1/journeys/${JOURNEY}/stats`)).json.totals.entered === 2 ? true : undefined), 20_000, 'two users entering');
  for (const user of ['u1', 'u2']) {
    const at = await eventually(async () => {
      const instance = (await api('GET', `/v1/users/${user}/journeys`)).json.instances[0];
      return instance?.nodeId === 'wait-2h-before-sms' ? instance : undefined;
    }, 20_000, `${user} waiting before the SMS`);
    assert.equal(at.version, 1);
  }
}

/** The example as it ships, with the changes this test publishes. */
function changedDraft(): any {
  const definition = JSON.parse(readFileSync(join(ROOT, 'examples', 'abandoned-cart.json'), 'utf8'));
  definition.setup.timeout = '2d';
  const node = (id: string) => definition.nodes.find((n: { id: string }) => n.id === id);
  node('sms-10-off').message.body = node('sms-10-off').message.body.replace('CART10', 'CART15');
  node('wait-2h-before-email').duration = '3h';
  // A misspelt name in a template: published, with a warning.
  node('email-final-reminder').message.subject = 'Your cart is about to expire, {{ Profil.Name }}';
  return definition;
}

async function checkAccessibility(name: string): Promise<void> {
  await page.evaluate(axe.source);
  const result = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
    [],
    `${name}: no serious accessibility violations`,
  );
}

async function shoot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

/** Each line of a diff list: its title, then each field as "name old → new". */
async function diffOf(list: Locator): Promise<string[][]> {
  const lines = await list.locator(':scope > li').all();
  return Promise.all(
    lines.map(async (line) => [
      await line.locator('.diff-title').innerText(),
      ...(await line.locator('.diff-fields li').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').replace(/→ ?becomes/, '→')),
    ]),
  );
}

/** Each finding of a check list: [severity, what it is about, its message]. */
async function checksOf(list: Locator): Promise<string[][]> {
  const items = await list.locator(':scope > li').all();
  return Promise.all(items.map(async (item) => [await item.locator('.check-badge').innerText(), await item.locator('.check-subject').innerText(), await item.locator('.check-message').innerText()]));
}

/** What the four changes of changedDraft() read as, worked out by hand. */
const CHANGES = [
  ['Changed the setup', 'timeout 1 day → 2 days'],
  [
    'Changed SMS message “sms-10-off”',
    // A long body: the words around the change, from the word 20 characters before it starts in.
    'body “…"cart" }} with code CART10. Reply STOP to opt out.” → “…"cart" }} with code CART15. Reply STOP to opt out.”',
  ],
  ['Changed delay “wait-2h-before-email”', 'duration 2 hours → 3 hours'],
  ['Changed email message “email-final-reminder”', 'subject “Your cart is about to expire” → “Your cart is about to expire, {{ Profil.Name }}”'],
];

test('sign in and open the running journey: Publish and Versions sit with its actions', async () => {
  await page.goto(server!.dashboard);
  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
  // In the list, a running journey offers no Publish: that is for its page, where its draft is.
  const row = page.getByRole('row').filter({ hasText: 'Abandoned cart recovery' });
  await row.getByRole('button', { name: 'Pause Abandoned cart recovery' }).waitFor();
  assert.deepEqual(await row.getByRole('button').allInnerTexts(), ['Pause', 'Stop', 'Duplicate']);
  await page.getByRole('link', { name: 'Abandoned cart recovery' }).click();
  await page.waitForURL(`${server!.url}/journeys/${JOURNEY}`);
  const actions = page.locator('.page-head .actions');
  await actions.getByRole('button', { name: 'Versions' }).waitFor();
  assert.deepEqual(await actions.getByRole('button').allInnerTexts(), ['Publish', 'Pause', 'Stop', 'Versions', 'Duplicate']);
});

test('a draft with an error: the dialog shows the changes, and publishing is refused with the error named', async () => {
  const draft = changedDraft();
  // A goal on the entry event itself: every user did it to enter, so the publish checks refuse it.
  draft.goals.push({ id: 'added-again', event: 'Added to Cart' });
  assert.equal((await api('PUT', `/v1/journeys/${JOURNEY}`, { definition: draft })).status, 200);
  await page.reload();
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish “Abandoned cart recovery”' });
  const changes = dialog.getByRole('list', { name: 'Changes since version 1' });
  await changes.waitFor();
  assert.match(await dialog.locator('.publish-what').innerText(), /^This publishes the draft as version 2\. Version 1 runs now, published \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d\.$/);
  assert.deepEqual(await diffOf(changes), [CHANGES[0], ['Added goal “added-again”'], ...CHANGES.slice(1)]);
  // Validation finds nothing (the draft was saved); the publish checks run on publishing.
  assert.equal(await dialog.getByRole('list', { name: 'Checks' }).count(), 0);
  assert.equal(await dialog.locator('.publish-empty').last().innerText(), 'The draft is valid.');

  await dialog.getByRole('button', { name: 'Publish version 2' }).click();
  const refused = dialog.getByRole('alert').filter({ hasText: 'Not published.' });
  await refused.waitFor();
  assert.equal(await refused.locator('p').first().innerText(), 'Not published. The publish checks found a problem to fix in the draft first:');
  const [error] = await checksOf(refused.getByRole('list', { name: 'Problems that stopped the publish' }));
  assert.deepEqual(error!.slice(0, 2), ['Error', 'Goal “added-again” event']);
  assert.match(error![2]!, /^goal "added-again" is the entry event "Added to Cart" with no filters: every user has done it just to enter/);
  await checkAccessibility('publish refused');
  await shoot('publish-1-refused');
  const versions = await api('GET', `/v1/journeys/${JOURNEY}/versions`);
  assert.deepEqual(
    versions.json.versions.map((v: { version: number }) => v.version),
    [1],
    'nothing was published',
  );
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
});

test('the fixed draft: its changes, the choice for users in flight, published by keyboard, the users moved', async () => {
  assert.equal((await api('PUT', `/v1/journeys/${JOURNEY}`, { definition: changedDraft() })).status, 200);
  await page.reload();
  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish “Abandoned cart recovery”' });
  const changes = dialog.getByRole('list', { name: 'Changes since version 1' });
  await changes.waitFor();
  assert.deepEqual(await diffOf(changes), CHANGES);

  const group = dialog.getByRole('group', { name: 'Users already in the journey' });
  const stay = group.getByRole('radio', { name: /^Stay on version 1 \(default\)/ });
  const move = group.getByRole('radio', { name: /^Move to version 2 at the node they are at/ });
  assert.equal(await stay.isChecked(), true, 'staying is the default');
  assert.equal(await move.isChecked(), false);
  await checkAccessibility('publish dialog');
  await shoot('publish-2-dialog');

  // By keyboard: the arrow moves the choice, Tab goes on to Cancel and then Publish.
  await stay.focus();
  await page.keyboard.press('ArrowDown');
  assert.equal(await move.isChecked(), true);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Publish version 2');
  const answer = page.waitForResponse((r) => r.url().endsWith(`/v1/journeys/${JOURNEY}/publish`) && r.request().method() === 'POST');
  await page.keyboard.press('Enter');
  const published = await (await answer).json();
  assert.equal(published.version, 2);
  assert.equal(published.moved, 2, 'u1 and u2 moved');

  const done = page.getByRole('dialog', { name: 'Published “Abandoned cart recovery”' });
  await done.getByRole('status').waitFor();
  assert.equal(await done.locator('.publish-done-title').innerText(), 'Version 2 is live.');
  assert.match(await done.getByRole('status').innerText(), /Published \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d\. 2 users moved to version 2 at the node they were at\.$/);
  // No profile has a phone or an email; the subject reads a name templates do not have.
  const warnings = await checksOf(done.getByRole('list', { name: 'Warnings' }));
  assert.deepEqual(
    warnings.map((w) => w.slice(0, 2)),
    [
      ['Warning', 'SMS message “sms-10-off” channel'],
      ['Warning', 'Email message “email-final-reminder” message/subject'],
      ['Warning', 'Email message “email-final-reminder” channel'],
    ],
  );
  assert.match(warnings[1]![2]!, /"Profil" is blank for every user \(did you mean Profile\?\)$/);
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Done', 'focus moves to the outcome');
  await checkAccessibility('published');
  await shoot('publish-3-published');
  await page.keyboard.press('Enter');
  await done.waitFor({ state: 'detached' });

  // Over HTTP: version 2 holds the draft, and both users are on it, still at the node they were at.
  const versions = (await api('GET', `/v1/journeys/${JOURNEY}/versions`)).json.versions;
  assert.deepEqual(
    versions.map((v: { version: number }) => v.version),
    [1, 2],
  );
  assert.match(versions[1].definition.nodes.find((n: { id: string }) => n.id === 'sms-10-off').message.body, /code CART15\./);
  for (const user of ['u1', 'u2']) {
    const [instance] = (await api('GET', `/v1/users/${user}/journeys`)).json.instances;
    assert.deepEqual([instance.version, instance.nodeId], [2, 'wait-2h-before-sms'], `${user} moved`);
  }
  const journey = (await api('GET', `/v1/journeys/${JOURNEY}`)).json;
  assert.deepEqual([journey.status, journey.version], ['running', 2]);
  await page.locator('.title-row .version').filter({ hasText: 'v2' }).waitFor();
});

test('the Versions panel lists both versions with their dates and compares any two, or one with the draft', async () => {
  await page.getByRole('button', { name: 'Versions' }).click();
  const panel = page.getByRole('dialog', { name: 'Versions of “Abandoned cart recovery”' });
  const list = panel.getByRole('list', { name: 'Versions, newest first' });
  await list.waitFor();
  const items = await list.locator(':scope > li').allInnerTexts();
  assert.equal(items.length, 3);
  assert.equal(items[0], 'Draft\nSame as version 2');
  assert.match(items[1]!, /^Version 2 Latest\nPublished \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d$/);
  assert.match(items[2]!, /^Version 1\nPublished \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\d$/);
  assert.match(await panel.locator('.versions-hint').innerText(), /Times in UTC\.$/);

  // The newest two are picked at first.
  const box = (name: RegExp) => list.getByRole('checkbox', { name });
  assert.deepEqual([await box(/^Draft/).isChecked(), await box(/^Version 2/).isChecked(), await box(/^Version 1/).isChecked()], [false, true, true]);
  assert.equal(await panel.locator('#versions-diff-title').textContent(), 'Version 1 → version 2');
  assert.deepEqual(await diffOf(panel.getByRole('list', { name: 'Changes from version 1 to version 2' })), CHANGES);
  await checkAccessibility('versions panel');
  await shoot('publish-4-versions');

  // Version 1 and the draft: the same changes (the draft is what version 2 froze), then 2 and the draft: none.
  await box(/^Version 2/).press('Space');
  await box(/^Draft/).check();
  assert.equal(await panel.locator('#versions-diff-title').textContent(), 'Version 1 → the draft');
  assert.deepEqual(await diffOf(panel.getByRole('list', { name: 'Changes from version 1 to the draft' })), CHANGES);
  await box(/^Version 2/).check(); // a third pick lets go of the first of the two
  assert.deepEqual([await box(/^Draft/).isChecked(), await box(/^Version 2/).isChecked(), await box(/^Version 1/).isChecked()], [true, true, false]);
  assert.equal(await panel.locator('#versions-diff-title').textContent(), 'Version 2 → the draft');
  assert.equal(await panel.locator('.versions-diff .publish-empty').innerText(), 'No differences.');
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
});

test('a new draft published from the list: the first version, with nobody to move', async () => {
  const definition = { name: 'Welcome', nodes: [{ id: 'signed-up', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } }, { id: 'done', kind: 'exit' }], edges: [{ from: 'signed-up', to: 'done' }] };
  assert.equal((await api('POST', '/v1/journeys', { id: 'welcome', definition })).status, 201);
  await page.getByRole('link', { name: '← All journeys' }).click();
  await page.getByRole('button', { name: 'Publish Welcome', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish “Welcome”' });
  await dialog.locator('.publish-what').waitFor();
  assert.equal(await dialog.locator('.publish-what').innerText(), 'This publishes the draft as version 1, the first: users who qualify start entering it.');
  assert.equal(await dialog.locator('.publish-empty').first().innerText(), 'First version: nothing runs yet to compare it with.');
  assert.equal(await dialog.getByRole('radio').count(), 0, 'no users in flight to ask about');
  await checkAccessibility('publish a first version');
  await dialog.getByRole('button', { name: 'Publish version 1' }).click();
  const done = page.getByRole('dialog', { name: 'Published “Welcome”' });
  assert.match(await done.getByRole('status').innerText(), /^Version 1 is live\.\n+Published .*\. Users who qualify enter it from now on\.$/);
  assert.equal(await done.locator('.publish-empty').innerText(), 'The publish checks found nothing to warn about.');
  await done.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('row').filter({ hasText: 'Welcome' }).getByRole('cell').nth(1).filter({ hasText: 'Running' }).waitFor();
  assert.deepEqual(
    (await api('GET', '/v1/journeys/welcome/versions')).json.versions.map((v: { version: number }) => v.version),
    [1],
  );
});

test('the refused publish was the only failed request, and nothing was logged', () => {
  assert.deepEqual(problems, [`400 POST /v1/journeys/${JOURNEY}/publish`]);
});
