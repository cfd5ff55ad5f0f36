/**
 * The journey editor's forms in a real browser against a real server: open a journey, type a delay, write an
 * SMS with an @-inserted property and see it rendered for a real user, change the entry event and a goal in
 * the settings, save, and read the draft back over HTTP. Checked with axe-core; screenshots under
 * test/web/screenshots/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ROOT } from '../helpers.ts';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type Served, type DashboardPage } from './browser-fixture.ts';


let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
let shoot: DashboardPage['shoot'];

before(async () => {
  ensureDashboardBuilt();
  server = await serve(['examples/win-back.json', 'examples/weekly-reengagement.json']);
  await seed(server);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Ana, a former Pro customer with a phone; and the events the pickers offer. */
async function seed({ url, write, admin }: Served): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${write}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await post('/v1/profiles', { userId: 'ana', traits: { name: 'Ana', plan: 'pro', phone: '+351910000000' } })).status, 200);
  const events = [
    { userId: 'ana', event: 'Plan Downgraded', messageId: 'down-1', properties: { plan: 'pro', to: 'free' } },
    { userId: 'ana', event: 'Plan Upgraded', messageId: 'up-1', properties: { plan: 'pro' } },
  ];
  assert.equal((await post('/v1/events', { batch: events })).status, 200);
  // A draft with the kinds the examples lack: a profile update, a wait, a split on a condition.
  const definition = {
    name: 'Downgrade follow-up',
    nodes: [
      { id: 'downgraded', kind: 'entry', trigger: { type: 'action', event: 'Plan Downgraded', where: [{ property: 'to', op: '=', value: 'free' }] } },
      { id: 'tag', kind: 'updateProfile', set: { downgradedFrom: 'pro', winback: true } },
      { id: 'wait-upgrade', kind: 'wait', event: 'Plan Upgraded', timeout: '3d', sameAs: ['plan'] },
      { id: 'still-free', kind: 'split', condition: { type: 'all', of: [{ type: 'profile', where: [{ property: 'plan', op: '=', value: 'free' }] }, { type: 'event', event: 'Plan Downgraded', count: { op: '>=', value: 2 }, within: { last: '30d' } }] } },
      { id: 'done', kind: 'exit' },
    ],
    edges: [
      { from: 'downgraded', to: 'tag' },
      { from: 'tag', to: 'wait-upgrade' },
      { from: 'wait-upgrade', to: 'done', branch: 'yes' },
      { from: 'wait-upgrade', to: 'still-free', branch: 'timeout' },
      { from: 'still-free', to: 'done', branch: 'yes' },
      { from: 'still-free', to: 'done', branch: 'no' },
    ],
  };
  const created = await fetch(`${url}/v1/journeys`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'downgrade', definition }) });
  assert.equal(created.status, 201, await created.text());
}

async function getJourney(id: string): Promise<{ draft: Record<string, unknown> }> {
  const response = await fetch(`${server!.url}/v1/journeys/${id}`, { headers: { authorization: `Bearer ${server!.admin}` } });
  assert.equal(response.status, 200);
  return response.json() as Promise<{ draft: Record<string, unknown> }>;
}

/**
 * Selects a node as a click on its card would, without aiming at it: a card may lie outside the canvas's
 * viewport, under the minimap, or move while the layout settles.
 */
async function selectNode(id: string): Promise<void> {
  await page.locator(`.node-card[data-node-id="${id}"]`).dispatchEvent('click');
}



test('sign in and open a journey', async () => {
  await page.goto(server!.dashboard);
  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Win-back after a cancelled subscription' }).click();
  await page.locator('.node-card[data-node-id="wait-3d"]').waitFor();
});

test('a delay typed as "2 h" is stored as 2h', async () => {
  await selectNode('wait-3d');
  const panel = page.getByRole('complementary', { name: 'wait-3d' });
  await panel.getByRole('heading', { name: 'wait-3d' }).waitFor();
  const amount = panel.getByLabel('Wait for', { exact: true });
  assert.equal(await amount.inputValue(), '3');
  assert.equal(await panel.getByLabel('Unit of wait for').inputValue(), 'd');
  await amount.fill('2 h');
  await amount.press('Tab');
  // Read back as a number in the unit it was typed in.
  await panel.getByLabel('Unit of wait for').and(page.locator('select')).evaluate((el, want) => {
    if ((el as HTMLSelectElement).value !== want) throw new Error(`unit ${(el as HTMLSelectElement).value}`);
  }, 'h');
  assert.equal(await amount.inputValue(), '2');
  // The editor bar above the canvas says the copy is not saved.
  await page.getByRole('group', { name: 'Editing' }).getByRole('status').filter({ hasText: 'Unsaved changes' }).waitFor();
  await checkAccessibility('delay form');
  await shoot('forms-1-delay');

  // A wrong duration is said next to the field, and nothing is changed.
  await amount.fill('soon');
  await amount.press('Tab');
  await panel.getByText('"soon" is not a duration').waitFor();
  assert.equal(await amount.getAttribute('aria-invalid'), 'true');
  await amount.fill('2');
  await amount.press('Tab');
  await panel.getByText('"soon" is not a duration').waitFor({ state: 'detached' });
});

test('an SMS body with an @-inserted trait, previewed for a real user', async () => {
  await selectNode('sms-offer');
  const panel = page.getByRole('complementary', { name: 'sms-offer' });
  await panel.getByRole('heading', { name: 'sms-offer' }).waitFor();
  assert.equal(await panel.getByLabel('Channel').inputValue(), 'sms');
  const body = panel.getByRole('textbox', { name: 'Message' });
  await body.fill('');
  await body.pressSequentially('Your @pl');
  // The traits the project's profiles have (GET /v1/catalog/traits), with their type and an example.
  const menu = panel.getByRole('listbox', { name: 'Properties to insert' });
  await menu.waitFor();
  assert.deepEqual(await menu.getByRole('option').allTextContents(), ['Profileplanstring · pro']);
  await body.press('Enter');
  // The caret waits between the default's quotes (`Your {{ Profile.plan | default: "` is 33 characters); this
  // message needs no default, so on to the end.
  await page.waitForFunction(() => (document.activeElement as HTMLTextAreaElement | null)?.selectionStart === 33);
  await body.press('Control+End'); // the end of the text, not of a wrapped line
  await body.pressSequentially(' plan is half price.');
  assert.equal(await body.inputValue(), 'Your {{ Profile.plan | default: "" }} plan is half price.');

  await panel.getByLabel('For user').fill('ana');
  await panel.getByLabel('For user').press('Enter');
  await panel.locator('.preview-sms').filter({ hasText: 'Your pro plan is half price.' }).waitFor();
  // Event is the user's latest entry event; Ana never cancelled.
  await panel.getByText('Event is empty: they have no “Subscription Cancelled” event.').waitFor();
  await checkAccessibility('send form with preview');
  await panel.locator('.preview').scrollIntoViewIfNeeded();
  await shoot('forms-2-sms-preview');

  // Another user, unknown: the same message with blanks, and a word on why.
  await panel.getByLabel('For user').fill('nobody');
  await panel.getByLabel('For user').press('Enter');
  await panel.getByText('“nobody” has no profile').waitFor();
  assert.equal(await panel.locator('.preview-sms').innerText(), 'Your  plan is half price.');
});

test('the settings: the entry event and a goal, then save, and the draft over HTTP has exactly those changes', async () => {
  const before = await getJourney('win-back');
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Journey settings' });
  await dialog.getByRole('tab', { name: 'Setup' }).waitFor();
  await checkAccessibility('settings, setup');
  await shoot('forms-3-settings-setup');

  await dialog.getByRole('tab', { name: 'Entry' }).click();
  const entryEvent = dialog.getByLabel('Entry event', { exact: true });
  assert.equal(await entryEvent.inputValue(), 'Subscription Cancelled');
  // The picker offers the events received (GET /v1/catalog/events), most seen first; free text is taken too.
  const offered = await entryEvent.evaluate((input) => [...((input as HTMLInputElement).list?.options ?? [])].map((o) => `${o.value} (${o.label})`));
  assert.deepEqual(offered.sort(), ['Plan Downgraded (1 received)', 'Plan Upgraded (1 received)']);
  await entryEvent.fill('Plan Downgraded');
  await entryEvent.press('Tab');
  await checkAccessibility('settings, entry');
  await shoot('forms-4-settings-entry');

  await dialog.getByRole('tab', { name: 'Goals' }).click();
  const goalEvent = dialog.getByLabel('Goal 1 event');
  assert.equal(await goalEvent.inputValue(), 'Subscription Started');
  await goalEvent.fill('Plan Upgraded');
  await goalEvent.press('Tab');
  await dialog.getByLabel('Within (optional)', { exact: true }).fill('7 days');
  await dialog.getByLabel('Within (optional)', { exact: true }).press('Tab');
  await checkAccessibility('settings, goals');
  await shoot('forms-5-settings-goals');

  await dialog.getByRole('button', { name: 'Save draft' }).click();
  await dialog.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
  await dialog.getByRole('button', { name: 'Close settings' }).click();

  const after = await getJourney('win-back');
  const nodes = after.draft.nodes as Record<string, unknown>[];
  const beforeNodes = before.draft.nodes as Record<string, unknown>[];
  assert.deepEqual(nodes[0], {
    id: 'cancelled',
    kind: 'entry',
    trigger: { type: 'inaction', event: 'Plan Downgraded', notEvent: 'Subscription Started', within: '1d' },
  });
  assert.deepEqual(nodes[4], { id: 'wait-3d', kind: 'delay', duration: '2h' });
  assert.deepEqual(nodes[6], {
    id: 'sms-offer',
    kind: 'send',
    channel: 'sms',
    message: { body: 'Your {{ Profile.plan | default: "" }} plan is half price.' },
  });
  assert.deepEqual(after.draft.goals, [{ id: 'resubscribed', event: 'Plan Upgraded', exitOnGoal: true, within: '7d' }]);
  // Nothing else moved: the other nodes, the edges, the setup and the name are as they were.
  for (const i of [1, 2, 3, 5, 7]) assert.deepEqual(nodes[i], beforeNodes[i], `node ${i}`);
  assert.deepEqual(after.draft.edges, before.draft.edges);
  assert.deepEqual(after.draft.setup, { reentry: 'afterExit', timeout: '14d', controlGroupPercent: 10, timezone: 'UTC' });
  assert.equal(after.draft.name, 'Win-back after a cancelled subscription');
  assert.deepEqual(Object.keys(after.draft).sort(), ['description', 'edges', 'goals', 'name', 'nodes', 'setup']);
});

test("an A/B split: the server's problem with the shares shows beside them until they add up to 100", async () => {
  await selectNode('test-offer');
  const panel = page.getByRole('complementary', { name: 'test-offer' });
  const share = panel.getByLabel('Variant 1 share (%)');
  await share.fill('60');
  await share.press('Tab');
  await panel.getByText('Total: 110% (must be 100%)').waitFor();
  // The server's check (POST /v1/journeys/validate), at /nodes/1/variants: shown in the variants' group.
  const variants = panel.getByRole('group', { name: 'Variants' });
  await variants.getByText('variant percentages add up to 110; they must add up to 100').waitFor();
  await page.getByRole('group', { name: 'Editing' }).getByRole('status').filter({ hasText: 'Unsaved: fix 1 problem to save' }).waitFor();
  await checkAccessibility('A/B split with a problem');
  await shoot('forms-6-ab-split-problem');
  await panel.getByRole('button', { name: 'Split evenly' }).click();
  await variants.getByText('variant percentages add up to 110').waitFor({ state: 'detached' });
  assert.equal(await share.inputValue(), '50');
});

test('every other kind has its form: the email composer, a split, a profile update, a wait, a scheduled segment entry', async () => {
  await selectNode('email-discount');
  const email = page.getByRole('complementary', { name: 'email-discount' });
  assert.equal(await email.getByRole('textbox', { name: 'Subject' }).inputValue(), 'Come back for 20% off');
  await email.locator('.preview-email iframe').waitFor();
  await email.locator('.preview-subject').filter({ hasText: 'Come back for 20% off' }).waitFor();
  await checkAccessibility('email composer');
  await email.locator('.preview').scrollIntoViewIfNeeded();
  await shoot('forms-7-email');

  await selectNode('was-paying-more');
  const split = page.getByRole('complementary', { name: 'was-paying-more' });
  assert.equal(await split.getByLabel('Values (comma-separated)').inputValue(), 'pro, business');
  await checkAccessibility('split form');
  await shoot('forms-8-split');

  await page.goto(`${server!.url}/journeys/downgrade`);
  await page.locator('.node-card[data-node-id="tag"]').waitFor();
  await selectNode('tag');
  const tag = page.getByRole('complementary', { name: 'tag' });
  assert.equal(await tag.getByLabel('Trait 2', { exact: true }).inputValue(), 'winback');
  assert.equal(await tag.getByLabel('Trait 2 value type').inputValue(), 'boolean');
  await checkAccessibility('update profile form');
  await shoot('forms-9-update-profile');

  await selectNode('wait-upgrade');
  const wait = page.getByRole('complementary', { name: 'wait-upgrade' });
  assert.equal(await wait.getByLabel('Wait for the event').inputValue(), 'Plan Upgraded');
  assert.equal(await wait.getByLabel("Same as the entry event's (optional)").inputValue(), 'plan');
  await checkAccessibility('wait form');

  await selectNode('still-free');
  const condition = page.getByRole('complementary', { name: 'still-free' });
  assert.equal(await condition.getByLabel('Condition', { exact: true }).inputValue(), 'all');
  assert.equal(await condition.getByLabel('Did it').inputValue(), 'count');
  await checkAccessibility('split on a condition');
  await shoot('forms-10-condition');

  await page.goto(`${server!.url}/journeys/weekly-reengagement`);
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Journey settings' });
  await dialog.getByRole('tab', { name: 'Entry' }).click();
  assert.equal(await dialog.getByLabel('Users enter').inputValue(), 'segment');
  await checkAccessibility('segment entry');
  await shoot('forms-11-segment-entry');
  await dialog.getByRole('tab', { name: 'Setup' }).click();
  await dialog.getByLabel('Do not send messages at some hours').check();
  await dialog.getByRole('button', { name: 'Add a window on some days' }).click();
  await dialog.getByRole('group', { name: 'Quiet hours', exact: true }).scrollIntoViewIfNeeded();
  await checkAccessibility('quiet hours');
  await shoot('forms-12-quiet-hours');
  await dialog.getByRole('button', { name: 'Undo' }).click();
  await dialog.getByRole('button', { name: 'Undo' }).click();
  await dialog.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
});

test('"Leads to" connects a way out from the side panel, without the mouse, and undoes like any edit', async () => {
  await page.goto(`${server!.url}/journeys/win-back`);
  await selectNode('was-paying-more');
  const panel = page.getByRole('complementary', { name: 'was-paying-more' });
  const leads = panel.getByRole('group', { name: 'Leads to' });
  await leads.waitFor();
  // A split's two ways out, as the example draws them.
  assert.equal(await leads.getByLabel('Yes').inputValue(), 'sms-offer');
  assert.equal(await leads.getByLabel('No').inputValue(), 'done');
  await leads.getByLabel('No').focus();
  await leads.getByLabel('No').selectOption('sms-offer');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();
  const edges = ((await getJourney('win-back')).draft.edges as Array<{ from: string; to: string; branch?: string }>).filter((e) => e.from === 'was-paying-more');
  assert.deepEqual(edges, [
    { from: 'was-paying-more', to: 'sms-offer', branch: 'yes' },
    { from: 'was-paying-more', to: 'sms-offer', branch: 'no' },
  ]);
  await checkAccessibility('leads to');
  await shoot('forms-leads-to');
});

test('no console errors or failed requests', () => {
  assert.deepEqual(problems, []);
});
