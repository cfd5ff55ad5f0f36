/**
 * The dashboard's headline journey, built from nothing as a first-time user would: on a server with no
 * journeys, sign in, create a draft from the list, and build the abandoned-cart journey (an inaction entry,
 * Push -> 2 h -> SMS -> 2 h -> Email -> Exit, a Charged goal) only by dragging from the palette, connecting
 * handles and typing in the node panel and the Settings drawer. Tidy up, save, publish; then send profiles
 * and events over the API with timestamps in the past, and wait on the page until the canvas and the
 * journey's totals show the figures worked out by hand. The saved definition is compared with the JSON
 * meant. Screenshots while building, after publishing and with the stats; axe on each step.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type Served, type DashboardPage } from './browser-fixture.ts';
import { driveCanvas, type CanvasDriver } from './canvas-driver.ts';

const JOURNEY = 'abandoned-cart';

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
let shoot: DashboardPage['shoot'];
let drive: CanvasDriver;
/** performance.now() when "New journey" was pressed, and how long the building took, in ms. */
let startedAt = 0;
let buildMs = 0;

before(async () => {
  ensureDashboardBuilt();
  server = await serve([]);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
  drive = driveCanvas(page);
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

const card = (id: string) => page.locator(`.node-card[data-node-id="${id}"]`);
const flowNode = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const panelOf = (id: string) => page.getByRole('complementary', { name: id });

/** Drops a kind from the palette onto a slot; the new node is selected, its side panel open. */
async function drop(item: string, slot: { x: number; y: number }, id: string): Promise<void> {
  await drive.dropFromPalette(item, slot, id);
  await panelOf(id).getByRole('heading', { name: id }).waitFor();
}

/** Types into a field and leaves it, as a person moving on to the next one. */
async function type(field: Locator, text: string): Promise<void> {
  await field.fill(text);
  await field.press('Tab');
}

test('sign in with the admin key and create a draft from the empty journeys list', async () => {
  await page.goto(server!.dashboard);
  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'No journeys yet' }).waitFor();
  await checkAccessibility('the empty journeys list');
  await shoot('cart-1-no-journeys');

  startedAt = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'New journey' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New journey' });
  await dialog.getByLabel('Name').pressSequentially('Abandoned cart');
  await dialog.getByLabel('Users enter when they do').pressSequentially('Added to Cart');
  await checkAccessibility('the new journey dialog');
  await dialog.getByRole('button', { name: 'Create draft' }).click();
  await page.waitForURL(`${server!.url}/journeys/${JOURNEY}`);
  await card('exit').waitFor();
});

test('the settings: users enter on Added to Cart without Charged within 2 minutes; Charged is the goal', async () => {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Journey settings' });
  await dialog.getByRole('tab', { name: 'Entry' }).click();
  await dialog.getByLabel('Users enter').selectOption({ label: 'When the user does an event, then not another' });
  assert.equal(await dialog.getByLabel('Entry event', { exact: true }).inputValue(), 'Added to Cart', 'the event given when the draft was made');
  await type(dialog.getByLabel('And does not do'), 'Charged');
  await type(dialog.getByLabel('Within', { exact: true }), '2 min');
  assert.equal(await dialog.getByLabel('Unit of within').inputValue(), 'm');
  assert.equal(await dialog.getByLabel('Within', { exact: true }).inputValue(), '2');
  await checkAccessibility('settings, an inaction entry');
  await shoot('cart-2-settings-entry');

  await dialog.getByRole('tab', { name: 'Goals' }).click();
  await dialog.getByRole('button', { name: '+ Add a goal' }).click();
  await type(dialog.getByLabel('Goal 1 event'), 'Charged');
  assert.equal(await dialog.getByLabel('Id').inputValue(), 'charged', 'the id made for the event first offered follows the one given');
  assert.equal(await dialog.getByLabel('The user leaves the journey on it').isChecked(), true, 'a goal exits by default');
  await checkAccessibility('settings, a goal');
  await shoot('cart-3-settings-goal');
  await dialog.getByRole('button', { name: 'Close settings' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await card('entry').locator('.node-summary').innerText(), 'Does Added to Cart, no Charged within 2 minutes');
});

/**
 * Where each step goes while building: two columns, down the first and up the second, all in view at once
 * (the journey's plane, slot corners 336 apart across and 192 down). Tidy up puts them in one column after.
 */
const SLOT = {
  entry: { x: 0, y: 0 },
  push: { x: 0, y: 192 },
  firstDelay: { x: 0, y: 384 },
  sms: { x: 0, y: 576 },
  secondDelay: { x: 336, y: 576 },
  email: { x: 336, y: 384 },
  exit: { x: 336, y: 192 },
};

test('make room: the entry at the top left, zoomed out so both columns show, the exit moved aside', async () => {
  // Selecting the entry opens the side panel, which takes its room from the canvas first.
  await flowNode('entry').click();
  await panelOf('entry').waitFor();
  const entry = await drive.onPage(SLOT.entry);
  const v = await drive.view();
  await drive.panBy(v.left + 40 - entry.x, v.top + 24 - entry.y);
  // Zoomed out with the wheel around the entry's corner, which stays put: to about 0.6.
  const corner = await drive.onPage(SLOT.entry);
  await page.mouse.move(corner.x, corner.y);
  await page.mouse.wheel(0, 360);
  const zoomed = await drive.view();
  assert.ok(zoomed.zoom > 0.5 && zoomed.zoom < 0.7, `zoom ${zoomed.zoom}`);
  // The exit, dragged from under the entry to the top of the second column.
  const exit = await drive.centre(flowNode('exit'));
  await page.mouse.move(exit.x, exit.y);
  await page.mouse.down();
  await page.mouse.move(exit.x + 2, exit.y + 2);
  await page.mouse.move(exit.x + 336 * zoomed.zoom, exit.y, { steps: 8 });
  await page.mouse.up();
});

test('build: Push with a personal greeting, 2 h, SMS, 2 h, Email, each connected by its handle', async () => {
  await drop('Push', SLOT.push, 'push-1');
  await drive.connectHandles('entry', 'next', 'push-1');
  const push = panelOf('push-1');
  await type(push.getByRole('textbox', { name: 'Title' }), 'Still thinking it over?');
  // The greeting: the name from the profile, typed with @, then its default, typed where the caret lands.
  const body = push.getByRole('textbox', { name: 'Message' });
  await body.pressSequentially('Hi @Name');
  const menu = push.getByRole('listbox', { name: 'Properties to insert' });
  await menu.waitFor();
  assert.deepEqual(await menu.getByRole('option').allTextContents(), ['ProfileNamethe name trait']);
  await body.press('Enter');
  assert.equal(await body.inputValue(), 'Hi {{ Profile.Name | default: "" }}');
  // The caret waits between the default's quotes.
  await body.pressSequentially('there');
  await body.press('Control+End'); // the end of the text, not of a wrapped line
  await body.pressSequentially(', your cart is waiting. Free shipping if you check out today.');
  await body.press('Tab');
  await checkAccessibility('the push form');
  await shoot('cart-4-building-push');

  await drop('Delay', SLOT.firstDelay, 'delay-1');
  await type(panelOf('delay-1').getByLabel('Wait for', { exact: true }), '2 h');
  await drive.connectHandles('push-1', 'next', 'delay-1');

  await drop('SMS', SLOT.sms, 'sms-1');
  await type(panelOf('sms-1').getByRole('textbox', { name: 'Message' }), 'Take 10% off your cart with code CART10. Reply STOP to opt out.');
  await drive.connectHandles('delay-1', 'next', 'sms-1');

  await drop('Delay', SLOT.secondDelay, 'delay-2');
  await type(panelOf('delay-2').getByLabel('Wait for', { exact: true }), '2 h');
  await drive.connectHandles('sms-1', 'next', 'delay-2');

  await drop('Email', SLOT.email, 'email-1');
  const email = panelOf('email-1');
  await type(email.getByRole('textbox', { name: 'Subject' }), 'Your cart is about to expire');
  await type(email.getByRole('textbox', { name: 'Body (HTML)' }), '<p>Your cart is reserved for a little longer.</p>');
  await drive.connectHandles('delay-2', 'next', 'email-1');
  await drive.connectHandles('email-1', 'next', 'exit');
  await checkAccessibility('the email composer');
  await shoot('cart-5-building-all-steps');

  await page.getByRole('button', { name: 'No problems' }).waitFor();
});

test('tidy up, save and publish from the Publish dialog', async () => {
  await page.getByRole('button', { name: 'Tidy up' }).click();
  await drive.viewSettled();
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.locator('.save-state').filter({ hasText: 'All changes saved' }).waitFor();
  buildMs = (await page.evaluate(() => performance.now())) - startedAt;
  console.log(`built, from "New journey" pressed to the draft saved: ${(buildMs / 1000).toFixed(1)} s`);
  // Measured here: 14 to 23 s, axe checks and screenshots included, on a shared 2-core machine. A person
  // takes minutes; the bound only catches a page that stalls.
  assert.ok(buildMs < 120_000, `${buildMs} ms`);
  await checkAccessibility('the journey built');
  await shoot('cart-6-built');

  await page.getByRole('button', { name: 'Publish', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Publish “Abandoned cart”' });
  await dialog.getByRole('button', { name: 'Publish version 1' }).waitFor();
  await checkAccessibility('the publish dialog');
  await shoot('cart-7-publish-dialog');
  await dialog.getByRole('button', { name: 'Publish version 1' }).click();
  const done = page.getByRole('dialog', { name: 'Published “Abandoned cart”' });
  await done.locator('.publish-done-title').filter({ hasText: 'Version 1 is live.' }).waitFor();
  await checkAccessibility('published');
  await shoot('cart-8-published');
  await done.getByRole('button', { name: 'Done' }).click();
  await done.waitFor({ state: 'detached' });
  await page.locator('.title-row .version').filter({ hasText: 'v1' }).waitFor();
  await shoot('cart-9-running');
});

const MINUTE = 60_000;

/** What the page shows: each card's figures by label ("entered": 2), and the journey's totals by label. */
interface Shown {
  nodes: Record<string, Record<string, number>>;
  totals: Record<string, string>;
}

/**
 * Runs in the page: what it shows, or with `want`, whether that is what it shows (one function for both, as
 * the page's CSP allows no eval).
 */
function readFigures(want: Shown | null): Shown | boolean {
  const nodes: Shown['nodes'] = {};
  for (const card of document.querySelectorAll<HTMLElement>('.node-card')) {
    const figures: Record<string, number> = {};
    for (const stat of card.querySelectorAll<HTMLElement>('.node-stat')) {
      const value = stat.querySelector('strong')?.textContent ?? '';
      figures[(stat.textContent ?? '').slice(value.length).trim()] = Number(value.replace(/,/g, ''));
    }
    nodes[card.dataset.nodeId!] = figures;
  }
  const totals: Shown['totals'] = {};
  for (const kpi of document.querySelectorAll('[aria-label="Journey totals"] .kpi')) {
    totals[kpi.querySelector('.kpi-label')!.textContent!] = kpi.querySelector('.kpi-value')!.textContent!;
  }
  return want === null ? { nodes, totals } : JSON.stringify({ nodes, totals }) === JSON.stringify(want);
}

/**
 * Waits, on the page and not on the clock, until it shows these figures (it reads the stats again every 5
 * seconds while visible); then compares, so a wrong figure fails with the difference rather than only a timeout.
 */
async function waitForFigures(want: Shown): Promise<void> {
  const seen = await page.waitForFunction(readFigures, want, { timeout: 45_000, polling: 250 }).then(
    () => true,
    () => false,
  );
  assert.deepEqual(await page.evaluate(readFigures, null), want);
  assert.ok(seen);
}

/**
 * u1 (Ana), u2 (Ben) and u3 (no name) added to their carts ten minutes ago. Ben paid a minute later, inside
 * the 2-minute window: he never enters. Ana and u3 enter when their windows closed, eight minutes ago, each
 * get the push (they have push tokens) and wait at the first delay (2 hours). Nobody has converted.
 */
test('three carts, one paid at once: two users enter, get the push and wait two hours', async () => {
  const now = Date.now();
  const profiles = [
    { userId: 'u1', traits: { name: 'Ana', pushToken: 'token-u1', phone: '+351910000001', email: 'ana@example.com' } },
    { userId: 'u2', traits: { name: 'Ben', pushToken: 'token-u2', phone: '+351910000002', email: 'ben@example.com' } },
    { userId: 'u3', traits: { pushToken: 'token-u3', phone: '+351910000003', email: 'u3@example.com' } },
  ];
  assert.equal((await api('POST', '/v1/profiles', { batch: profiles }, server!.write)).status, 200);
  const events = [
    ...['u1', 'u2', 'u3'].map((userId) => ({ userId, event: 'Added to Cart', timestamp: now - 10 * MINUTE, messageId: `add-${userId}`, properties: { productName: 'Lamp' } })),
    { userId: 'u2', event: 'Charged', timestamp: now - 9 * MINUTE, messageId: 'charged-u2', properties: { amount: 40 } },
  ];
  assert.equal((await api('POST', '/v1/events', { batch: events }, server!.write)).status, 200);

  await waitForFigures({
    nodes: {
      entry: {},
      exit: { entered: 0 },
      'push-1': { entered: 2, sent: 2 },
      'delay-1': { entered: 2 },
      'sms-1': { entered: 0, sent: 0 },
      'delay-2': { entered: 0 },
      'email-1': { entered: 0, sent: 0 },
    },
    // In the strip's order: u1 and u3 qualified and entered, u2 paid inside the window and did not qualify.
    totals: { Qualified: '2', 'Did not qualify': '1', Entered: '2', 'Control group': '0', 'In journey now': '2', 'Goal met': '0', 'Conversion rate': '0.0%', 'Timed out': '0', Completed: '0' },
  });
  // Who is where now: the side panel of the first delay says how many wait there.
  await flowNode('delay-1').click();
  await waitingNow('delay-1', '2');
  await checkAccessibility('the journey with its first users');
  await shoot('cart-10-stats-entered');
});

/** The side panel of a node says how many users are at it now. */
async function waitingNow(id: string, count: string): Promise<void> {
  const panel = panelOf(id);
  await panel.getByRole('heading', { name: id }).waitFor();
  await panel.locator('.details-stats div').filter({ has: page.locator('dt', { hasText: /^waiting now$/ }) }).locator('dd').filter({ hasText: new RegExp(`^${count}$`) }).waitFor({ timeout: 45_000 });
}

/** u3 pays now, a minute ago, after entering: a conversion on the goal, and (the goal exits) u3 leaves. */
test('one of the two pays after entering: converted where they were, and out of the journey', async () => {
  const charged = { userId: 'u3', event: 'Charged', timestamp: Date.now() - MINUTE, messageId: 'charged-u3', properties: { amount: 40 } };
  assert.equal((await api('POST', '/v1/events', charged, server!.write)).status, 200);
  await waitForFigures({
    nodes: {
      entry: {},
      exit: { entered: 0 },
      'push-1': { entered: 2, sent: 2 },
      'delay-1': { entered: 2, 'converted here': 1 },
      'sms-1': { entered: 0, sent: 0 },
      'delay-2': { entered: 0 },
      'email-1': { entered: 0, sent: 0 },
    },
    totals: { Qualified: '2', 'Did not qualify': '1', Entered: '2', 'Control group': '0', 'In journey now': '1', 'Goal met': '1', 'Conversion rate': '50.0%', 'Timed out': '0', Completed: '0' },
  });
  await waitingNow('delay-1', '1');
  await checkAccessibility('the journey with a conversion');
  await shoot('cart-11-stats-converted');
  await page.getByRole('button', { name: 'Close details' }).click();
  await page.getByRole('button', { name: 'Fit View' }).click();
  await drive.viewSettled();
  await shoot('cart-12-stats-whole-journey');

  // The stats the page read, over HTTP: waiting is per node now, the rest of all time.
  const stats = (await api('GET', `/v1/journeys/${JOURNEY}/stats`)).json;
  const byNode = Object.fromEntries(stats.nodes.map((n: Record<string, unknown>) => [n.nodeId, [n.entered, n.sent, n.waiting, n.goal]]));
  assert.deepEqual(byNode, {
    'push-1': [2, 2, 0, 0],
    'delay-1': [2, 0, 1, 1],
    'sms-1': [0, 0, 0, 0],
    'delay-2': [0, 0, 0, 0],
    'email-1': [0, 0, 0, 0],
    exit: [0, 0, 0, 0],
  });
  // The greeting as each got it: Ana by name, u3 (no name) with the default.
  const pushes = (await api('GET', `/v1/messages?journeyId=${JOURNEY}`)).json.messages;
  assert.deepEqual(
    pushes.map((m: { userId: string; channel: string; status: string; content: { title: string; body: string } }) => [m.userId, m.channel, m.status, m.content.title, m.content.body]).sort(),
    [
      ['u1', 'push', 'sent', 'Still thinking it over?', 'Hi Ana, your cart is waiting. Free shipping if you check out today.'],
      ['u3', 'push', 'sent', 'Still thinking it over?', 'Hi there, your cart is waiting. Free shipping if you check out today.'],
    ],
  );
});

/**
 * The journey meant, written by hand with ids of its own: what was drawn must be this, whatever ids the
 * canvas gave (compared by walking both from the entry).
 */
const MEANT = {
  name: 'Abandoned cart',
  goals: [{ id: 'purchase', event: 'Charged' }],
  nodes: [
    { id: 'cart-abandoned', kind: 'entry', trigger: { type: 'inaction', event: 'Added to Cart', notEvent: 'Charged', within: '2m' } },
    {
      id: 'push',
      kind: 'send',
      channel: 'push',
      message: { title: 'Still thinking it over?', body: 'Hi {{ Profile.Name | default: "there" }}, your cart is waiting. Free shipping if you check out today.' },
    },
    { id: 'wait-before-sms', kind: 'delay', duration: '2h' },
    { id: 'sms', kind: 'send', channel: 'sms', message: { body: 'Take 10% off your cart with code CART10. Reply STOP to opt out.' } },
    { id: 'wait-before-email', kind: 'delay', duration: '2h' },
    { id: 'email', kind: 'send', channel: 'email', message: { subject: 'Your cart is about to expire', body: '<p>Your cart is reserved for a little longer.</p>' } },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { from: 'cart-abandoned', to: 'push' },
    { from: 'push', to: 'wait-before-sms' },
    { from: 'wait-before-sms', to: 'sms' },
    { from: 'sms', to: 'wait-before-email' },
    { from: 'wait-before-email', to: 'email' },
    { from: 'email', to: 'done' },
  ],
};

interface Definition {
  nodes: Array<{ id: string; kind: string } & Record<string, unknown>>;
  edges: Array<{ from: string; to: string; branch?: string }>;
  goals?: Array<{ id: string } & Record<string, unknown>>;
  [field: string]: unknown;
}

/**
 * A definition with its ids replaced by where each node is met walking from the entry ("#0", "#1", ...,
 * each node's ways in branch order), its nodes in that order and its edges sorted; goal ids left out.
 */
function shape(definition: Definition): unknown {
  const order: string[] = [definition.nodes.find((n) => n.kind === 'entry')!.id];
  for (let i = 0; i < order.length; i++) {
    const ways = definition.edges.filter((e) => e.from === order[i]).sort((a, b) => (a.branch ?? '').localeCompare(b.branch ?? ''));
    for (const e of ways) if (!order.includes(e.to)) order.push(e.to);
  }
  const name = (id: string) => (order.includes(id) ? `#${order.indexOf(id)}` : `unreached ${id}`);
  const nodes = [...definition.nodes].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)).map((n) => ({ ...n, id: name(n.id) }));
  const edges = definition.edges.map((e) => ({ ...e, from: name(e.from), to: name(e.to) })).sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`));
  const goals = definition.goals?.map(({ id: _, ...goal }) => goal);
  return { ...definition, nodes, edges, ...(goals ? { goals } : {}) };
}

test('over HTTP, the journey published is the one meant: its structure, kinds, fields and edges', async () => {
  const journey = (await api('GET', `/v1/journeys/${JOURNEY}`)).json;
  assert.deepEqual([journey.status, journey.version], ['running', 1]);
  assert.deepEqual(shape(journey.draft), shape(MEANT));
  assert.deepEqual(journey.draft.goals.map((g: { id: string }) => g.id), ['charged']);
  const [version] = (await api('GET', `/v1/journeys/${JOURNEY}/versions`)).json.versions;
  assert.deepEqual(version.definition, journey.draft, 'version 1 is the draft as saved');
  // And the ids the canvas gave, readable: the kind or channel and a number.
  assert.deepEqual(journey.draft.nodes.map((n: { id: string }) => n.id).sort(), ['delay-1', 'delay-2', 'email-1', 'entry', 'exit', 'push-1', 'sms-1']);
});

test('no console errors or failed requests', () => {
  assert.deepEqual(problems, []);
});
