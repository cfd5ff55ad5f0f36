/**
 * The dashboard in a real browser against a real server: sign in by typing the key, find the journey in the
 * list with its counts, open its canvas. Every page is checked with axe-core (no serious or critical
 * violations) and saved as a screenshot under test/web/screenshots/ for people to look at.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import { eventually } from '../api/helpers.ts';
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
  server = await serve(['examples/abandoned-cart.json', 'examples/win-back.json']);
  await seedCarts(server);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Three carts ten minutes old: u3 paid within the 2-minute window (never enters), u1 and u2 enter. Then u1
 * pays: one conversion of two entered, 50.0%. u1 and u2 have push tokens, so the push node sends twice.
 */
async function seedCarts({ url, write, admin }: Served): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${write}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const ago = (minutes: number) => Date.now() - minutes * 60_000;
  await post('/v1/profiles', { batch: ['u1', 'u2', 'u3'].map((userId) => ({ userId, traits: { name: userId, pushToken: `token-${userId}` } })) });
  const added = ['u1', 'u2', 'u3'].map((userId) => ({ userId, event: 'Added to Cart', timestamp: ago(10), messageId: `add-${userId}`, properties: { productName: 'Lamp' } }));
  assert.equal((await post('/v1/events', { batch: [...added, { userId: 'u3', event: 'Charged', timestamp: ago(9), messageId: 'paid-u3' }] })).status, 200);
  const stats = () => fetch(`${url}/v1/journeys/abandoned-cart/stats`, { headers: { authorization: `Bearer ${admin}` } }).then((r) => r.json());
  await eventually(async () => ((await stats()).totals.entered === 2 ? true : undefined), 20_000, 'two users entering');
  assert.equal((await post('/v1/events', { userId: 'u1', event: 'Charged', messageId: 'paid-u1' })).status, 200);
  await eventually(async () => ((await stats()).totals.goal === 1 ? true : undefined), 20_000, 'one conversion');
}



test('sign in: a wrong key is refused with a message, the admin key lets you in', async () => {
  assert.equal(server!.dashboard, `${server!.url}/`, 'the startup output says where the dashboard is');
  await page.goto(server!.dashboard);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await checkAccessibility('sign-in');
  await shoot('1-sign-in');

  await page.getByLabel('Admin key').fill('wm_admin_not-the-key');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'That key is not valid' }).waitFor();
  await checkAccessibility('sign-in with an error');

  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
  // Only an httpOnly cookie holds the session: nothing a script could read.
  assert.equal(await page.evaluate(() => document.cookie), '');
  assert.equal(await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })), '{}{}');
});

test('the list shows each journey with its status, version and counts', async () => {
  const row = page.getByRole('row').filter({ hasText: 'Abandoned cart recovery' });
  await row.getByRole('cell').nth(6).filter({ hasText: '50.0%' }).waitFor();
  const cells = await row.getByRole('cell').allInnerTexts();
  // Journey, status, version, entered, in journey now (u2, in the 2-hour wait; u1 paid and left), converted, conversion.
  assert.match(cells[0]!, /^Abandoned cart recovery\nabandoned-cart · updated /);
  assert.deepEqual(cells.slice(1, 7), ['Running', 'v1', '2', '1', '1', '50.0%']);
  const winBack = await page.getByRole('row').filter({ hasText: 'Win-back after a cancelled subscription' }).getByRole('cell').allInnerTexts();
  assert.deepEqual(winBack.slice(1, 7), ['Running', 'v1', '0', '0', '0', '—']);
  assert.deepEqual(await row.getByRole('button').allInnerTexts(), ['Pause', 'Stop', 'Duplicate']);
  await checkAccessibility('journeys');
  await shoot('2-journeys');
});

test('actions from the list go through the session cookie: duplicate makes a draft, pause and resume', async () => {
  const name = 'Win-back after a cancelled subscription';
  await page.getByRole('button', { name: `Duplicate ${name}`, exact: true }).click();
  await page.getByRole('status').filter({ hasText: `Created the draft “${name} (copy)”.` }).waitFor();
  const copy = page.getByRole('row').filter({ hasText: `${name} (copy)` });
  assert.deepEqual((await copy.getByRole('cell').allInnerTexts()).slice(1, 3), ['Draft', '—']);
  assert.match(await copy.getByRole('cell').first().innerText(), /\nwin-back-copy · updated /);
  assert.deepEqual(await copy.getByRole('button').allInnerTexts(), ['Publish', 'Duplicate']);

  const row = page.getByRole('row').filter({ hasText: name }).filter({ hasNotText: '(copy)' });
  await page.getByRole('button', { name: `Pause ${name}`, exact: true }).click();
  await row.getByRole('cell').nth(1).filter({ hasText: 'Paused' }).waitFor();
  assert.deepEqual(await row.getByRole('button').allInnerTexts(), ['Resume', 'Stop', 'Duplicate']);
  await page.getByRole('button', { name: `Resume ${name}`, exact: true }).click();
  await row.getByRole('cell').nth(1).filter({ hasText: 'Running' }).waitFor();
  await checkAccessibility('journeys after actions');
});

test('the list shows 50 journeys at first and the rest on "Show more journeys"', async () => {
  const { url, admin } = server!;
  const definition = { name: 'Filler', nodes: [{ id: 'in', kind: 'entry', trigger: { type: 'action', event: 'Ping' } }, { id: 'out', kind: 'exit' }], edges: [{ from: 'in', to: 'out' }] };
  // 3 journeys so far (the two examples, the duplicate made above); 50 more make 53: a page of 50, then 3.
  for (let i = 0; i < 50; i++) {
    const id = `filler-${String(i).padStart(2, '0')}`;
    const response = await fetch(`${url}/v1/journeys`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ id, definition: { ...definition, name: `Filler ${i}` } }) });
    assert.equal(response.status, 201);
  }
  await page.reload();
  await page.getByRole('button', { name: 'Show more journeys' }).waitFor();
  assert.equal(await page.locator('tbody tr').count(), 50);
  await page.getByRole('button', { name: 'Show more journeys' }).click();
  await page.locator('tbody tr').nth(52).waitFor();
  assert.equal(await page.locator('tbody tr').count(), 53);
  assert.equal(await page.getByRole('button', { name: 'Show more journeys' }).count(), 0, 'no more button on the last page');
  assert.equal(await page.locator('tbody tr').last().getByRole('cell').first().locator('a').innerText(), 'Filler 49');
});

test('a journey opens on its canvas: every node, its counts, and the labelled branches', async () => {
  await page.getByRole('link', { name: 'Abandoned cart recovery' }).click();
  await page.waitForURL(`${server!.url}/journeys/abandoned-cart`);
  await page.locator('.react-flow__node').first().waitFor();
  const ids = await page.locator('.node-card .node-id').allInnerTexts();
  assert.deepEqual(ids.sort(), ['cart-abandoned', 'done', 'email-final-reminder', 'push-free-shipping', 'sms-10-off', 'wait-2h-before-email', 'wait-2h-before-sms']);
  const push = page.locator('.node-card[data-node-id="push-free-shipping"]');
  // Titles and labels come from the server's node registry (GET /v1/meta/nodes).
  assert.equal(await push.locator('.node-title').innerText(), 'Send message · Push');
  assert.equal(await page.locator('.node-card[data-node-id="done"] .node-title').innerText(), 'Exit');
  assert.equal(await push.locator('.node-summary').innerText(), 'Still thinking it over?');
  assert.equal(await page.locator('.node-card[data-node-id="sms-10-off"] .node-summary').innerText(), 'Hi, take 10% off your cart with code CART10. Reply STOP to opt out.');
  assert.deepEqual(await page.locator('.node-card[data-node-id="wait-2h-before-sms"] .node-stat').allInnerTexts(), ['2 entered', '1 converted here']);
  assert.deepEqual(await push.locator('.node-stat').allInnerTexts(), ['2 entered', '2 sent']);
  assert.equal(await page.locator('.node-card[data-node-id="wait-2h-before-sms"] .node-waiting').innerText(), '1 waiting now');
  assert.equal(await push.locator('.node-waiting').count(), 0);
  assert.equal(await page.locator('.node-card[data-node-id="cart-abandoned"] .node-summary').innerText(), 'Does Added to Cart, no Charged within 2 minutes');
  assert.equal(await page.locator('.node-card[data-node-id="wait-2h-before-sms"] .node-summary').innerText(), 'Wait 2 hours');
  assert.equal(await page.locator('.react-flow__edge').count(), 6);
  await page.locator('.react-flow__minimap-node').nth(6).waitFor();
  assert.equal(await page.locator('.react-flow__minimap-node').count(), 7, 'the minimap draws every node');
  const kpis = await page.locator('.kpi').allInnerTexts();
  // u1 and u2 qualified and entered, u3 paid inside the 2 minutes; u2 is still inside, u1 converted.
  assert.deepEqual(kpis, ['Qualified\n2', 'Did not qualify\n1', 'Entered\n2', 'Control group\n0', 'In journey now\n1', 'Goal met\n1', 'Conversion rate\n50.0%', 'Timed out\n0', 'Completed\n0']);
  await checkAccessibility('abandoned-cart canvas');
  await shoot('3-canvas-abandoned-cart');

  await push.click();
  await page.getByRole('heading', { name: 'push-free-shipping' }).waitFor();
  await shoot('4-canvas-node-details');
  await checkAccessibility('node details');

  await page.goto(`${server!.url}/journeys/win-back`);
  await page.locator('.react-flow__edge-text').first().waitFor();
  const labels = await page.locator('.react-flow__edge-text').allTextContents();
  // Split branches by their registry labels; A/B variants by their names, with their shares.
  assert.deepEqual(labels.sort(), ['No', 'Yes', 'discount · 50%', 'whats-new · 50%']);
  assert.equal(await page.locator('.node-card[data-node-id="test-offer"] .node-title').innerText(), 'A/B split');
  assert.equal(await page.locator('.node-card').count(), 8);
  await checkAccessibility('win-back canvas');
  await shoot('5-canvas-win-back');
});

test('signing out returns to the sign-in page, drops the calls in flight, and the old cookie no longer reads anything', async () => {
  // The journey list reads each journey's stats: one of those calls is held until the session has ended. Let
  // through then, it would reach the server after the session is gone and come back 401 (a race the whole
  // suite met under load); the dashboard drops it instead.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let caught!: (request: Request) => void;
  const holding = new Promise<Request>((resolve) => (caught = resolve));
  await page.route('**/v1/journeys/*/stats', async (route) => {
    caught(route.request());
    await held;
    await route.continue().catch(() => {}); // a dropped call cannot be continued
  });
  await page.goto(server!.dashboard);
  const inFlight = await holding;
  const outcome = Promise.race([
    page.waitForEvent('requestfailed', (r) => r === inFlight).then(() => 'dropped'),
    page.waitForEvent('response', (r) => r.request() === inFlight).then((r) => `answered ${r.status()}`),
  ]);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  release();
  assert.equal(await outcome, 'dropped');
  await page.unroute('**/v1/journeys/*/stats');
  const status = await page.evaluate(() => fetch('/v1/journeys').then((r) => r.status));
  assert.equal(status, 401);
  // The wrong key, then the read after signing out.
  const expected = (p: string) => p === '401 POST /v1/session' || p === '401 GET /v1/journeys';
  assert.deepEqual(problems.filter((p) => !expected(p)), [], 'no console errors or failed requests besides the expected ones');
  assert.equal(problems.filter((p) => p === '401 POST /v1/session').length, 1);
});
