/**
 * A journey's numbers in a real browser against a real server: the totals over the canvas, each node's
 * figures on its card (waiting now, skips by reason), the list's "in journey now", a live refresh after an
 * event, the conversions chart and its description, the control-group comparison in words, and a backtest of
 * the working copy overlaid on the cards. Every expectation is counted by hand from the seed below.
 *
 * The seed: journey "trial-offer" (Started Trial → SMS → wait 1 day → email → exit; goal Subscribed, which
 * exits; 50% control group). Which users the control group holds is fixed by the hash of journey and user id:
 * of the 20 users below, the 10 "target" users enter and the 10 "control" users are held out (the test checks
 * that before anything else). Six target users have a phone; all have an email.
 *
 *   started 3 days ago:  target ben eve hal jo max      control ada cy dee fay gus
 *   started 6 hours ago: target ned quin rae sam tom    control ivy kim lou ola pam
 *   subscribed 2.5 days ago: ben eve hal, ada; 5 hours ago: ned quin rae, ivy; 1 hour ago (sent during the test): sam
 *
 * Live, every event is taken when it arrives (now): all 10 target users are at "wait-1d" (1 day) when their
 * conversions come. Replayed on the virtual clock, the early users' day has passed: jo and max get the email.
 * Last, ben clicks his SMS (a click never opened is an open too): its card counts one open and one click.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import axe from 'axe-core';
import type { Browser, Page, Route } from 'playwright-core';
import { eventually } from '../api/helpers.ts';
import { ROOT } from '../helpers.ts';
import { ensureDashboardBuilt, launchChromium, serve, type Served } from './browser-fixture.ts';

const SHOTS = join(ROOT, 'test', 'web', 'screenshots');
const JOURNEY = 'trial-offer';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const TARGET = ['ben', 'eve', 'hal', 'jo', 'max', 'ned', 'quin', 'rae', 'sam', 'tom'];
const CONTROL = ['ada', 'cy', 'dee', 'fay', 'gus', 'ivy', 'kim', 'lou', 'ola', 'pam'];
const PHONES = new Set(['ben', 'eve', 'jo', 'ned', 'quin', 'sam']);

const definition = {
  name: 'Trial offer',
  description: 'Started a trial: an SMS offer now, an email reminder a day later. Subscribing exits.',
  setup: { controlGroupPercent: 50, reentry: 'never' },
  goals: [{ id: 'subscribed', event: 'Subscribed', exitOnGoal: true }],
  nodes: [
    { id: 'trial-started', kind: 'entry', trigger: { type: 'action', event: 'Started Trial' } },
    { id: 'sms-offer', kind: 'send', channel: 'sms', message: { body: 'Your trial: 20% off if you subscribe this week.' } },
    { id: 'wait-1d', kind: 'delay', duration: '1d' },
    { id: 'email-reminder', kind: 'send', channel: 'email', message: { subject: 'Your trial ends soon', body: '<p>Subscribe to keep your projects.</p>' } },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { from: 'trial-started', to: 'sms-offer' },
    { from: 'sms-offer', to: 'wait-1d' },
    { from: 'wait-1d', to: 'email-reminder' },
    { from: 'email-reminder', to: 'done' },
  ],
};

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
/** When the seed started: every timestamp is this minus an interval. */
let T = 0;
const problems: string[] = [];

async function api(method: string, path: string, body?: unknown, key = server!.admin): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}

const totals = async () => (await api('GET', `/v1/journeys/${JOURNEY}/stats`)).body.totals;
const subscribed = (userId: string, ago: number) => ({ userId, event: 'Subscribed', timestamp: T - ago, messageId: `subscribed-${userId}` });

async function seed(): Promise<void> {
  assert.equal((await api('POST', '/v1/journeys', { id: JOURNEY, definition })).status, 201);
  assert.equal((await api('POST', `/v1/journeys/${JOURNEY}/publish`, {})).status, 200);
  const profiles = [...TARGET, ...CONTROL].map((userId) => ({ userId, traits: { email: `${userId}@example.com`, ...(PHONES.has(userId) ? { phone: '+15550100' } : {}) } }));
  assert.equal((await api('POST', '/v1/profiles', { batch: profiles }, server!.write)).status, 200);
  T = Date.now();
  const early = [...TARGET.slice(0, 5), ...CONTROL.slice(0, 5)];
  const started = [...TARGET, ...CONTROL].map((userId) => ({ userId, event: 'Started Trial', timestamp: T - (early.includes(userId) ? 3 * DAY : 6 * HOUR), messageId: `started-${userId}` }));
  assert.equal((await api('POST', '/v1/events', { batch: started }, server!.write)).status, 200);
  // The split the hash makes, checked before anything is counted on it.
  await eventually(async () => ((await totals()).qualified === 20 ? true : undefined), 20_000, 'twenty users qualifying');
  assert.deepEqual([(await totals()).entered, (await totals()).control], [10, 10]);
  const conversions = [subscribed('ben', 2.5 * DAY), subscribed('eve', 2.5 * DAY), subscribed('hal', 2.5 * DAY), subscribed('ada', 2.5 * DAY), subscribed('ned', 5 * HOUR), subscribed('quin', 5 * HOUR), subscribed('rae', 5 * HOUR), subscribed('ivy', 5 * HOUR)];
  assert.equal((await api('POST', '/v1/events', { batch: conversions }, server!.write)).status, 200);
  await eventually(async () => {
    const t = await totals();
    return t.goal === 6 && t.controlGoal === 2 ? true : undefined;
  }, 20_000, 'six conversions and two in the control group');
}

before(async () => {
  ensureDashboardBuilt();
  mkdirSync(SHOTS, { recursive: true });
  server = await serve(['examples/abandoned-cart.json']);
  await seed();
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(server.dashboard);
  await page.getByLabel('Admin key').fill(server.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

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

/** Waits until the view stops moving (fit view animates), frame by frame, not by the clock. */
async function viewSettled(): Promise<void> {
  await page.evaluate(async () => {
    let last = '';
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      await new Promise((r) => requestAnimationFrame(r));
      const now = document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform;
      if (now === last) return;
      last = now;
    }
  });
}

const shoot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
const card = (id: string) => page.locator(`.node-card[data-node-id="${id}"]`);
const kpi = (label: string) => page.locator('.stats-strip .kpi').filter({ has: page.locator('.kpi-label', { hasText: new RegExp(`^${label}$`) }) });

test('the list says how many users are in the journey now', async () => {
  const row = page.getByRole('row').filter({ hasText: 'Trial offer' });
  await row.getByRole('cell').nth(6).filter({ hasText: '60.0%' }).waitFor();
  // Status, version, entered, in journey now (jo, max, sam and tom, still in the 1-day wait), converted, conversion.
  assert.deepEqual((await row.getByRole('cell').allInnerTexts()).slice(1, 7), ['Running', 'v1', '10', '4', '6', '60.0%']);
});

test('the strip has every total, and each card its figures: waiting now, skips by reason', async () => {
  await page.getByRole('link', { name: 'Trial offer' }).click();
  await page.waitForURL(`${server!.url}/journeys/${JOURNEY}`);
  await card('wait-1d').locator('.node-waiting').waitFor();
  assert.deepEqual(await page.locator('.stats-strip .kpi').allInnerTexts(), [
    'Qualified\n20',
    'Entered\n10',
    'Control group\n10',
    'In journey now\n4',
    'Goal met\n6',
    'Conversion rate\n60.0%',
    'Timed out\n0',
    'Completed\n0',
    // 6 of 10 against 2 of 10: 40 points; z = 0.4 / sqrt(0.4 * 0.6 * (1/10 + 1/10)) = 1.826, p = 0.068.
    'Against control\n+40.0 pts\nnot enough evidence yet',
  ]);
  // Everyone passed the SMS: six sent, four without a phone skipped; nobody waits there.
  assert.deepEqual(await card('sms-offer').locator('.node-stat').allInnerTexts(), ['10 entered', '6 sent', '4 skipped']);
  assert.equal(await card('sms-offer').locator('.node-skips').innerText(), 'Skipped: 4 no phone');
  assert.equal(await card('sms-offer').locator('.node-skips').getAttribute('title'), '4 × Missing address: the profile has no phone');
  assert.equal(await card('sms-offer').locator('.node-waiting').count(), 0);
  // The 1-day wait: six converted there, four still waiting.
  assert.deepEqual(await card('wait-1d').locator('.node-stat').allInnerTexts(), ['10 entered', '6 converted here']);
  assert.equal(await card('wait-1d').locator('.node-waiting').innerText(), '4 waiting now');
  assert.deepEqual(await card('email-reminder').locator('.node-stat').allInnerTexts(), ['0 entered', '0 sent']);
  assert.deepEqual(await card('done').locator('.node-stat').allInnerTexts(), ['0 entered']);
  assert.equal(await page.locator('.node-trial').count(), 0, 'no backtest overlay yet');
  await checkAccessibility('journey with stats');
  await shoot('stats-1-canvas');
});

test('the chart and the uplift card: a described chart, the z-test in words', async () => {
  await page.getByRole('button', { name: 'Chart and uplift' }).click();
  const chart = page.getByRole('img', { name: 'Entered and converted per day' });
  await chart.waitFor();
  const described = async () => page.evaluate(() => {
    const svg = document.querySelector('svg.chart')!;
    return document.getElementById(svg.getAttribute('aria-describedby')!)!.textContent;
  });
  // Entries count on the day they were taken (today, for all ten); conversions on theirs, all in the period.
  await eventually(async () => ((await described())?.startsWith('Last 14 days: 10 entered') ? true : undefined), 10_000, 'the series read');
  assert.match((await described())!, /^Last 14 days: 10 entered, 6 converted\. Control group: 10 held out, 2 converted\. Most entries on [A-Z][a-z]{2} \d{1,2} \(10\)\.$/);
  await page.getByText('Show the numbers').click();
  const rows = page.locator('.chart-table tbody tr');
  assert.equal(await rows.count(), 14, 'one row a day');
  const column = async (n: number) => (await rows.locator(`td:nth-of-type(${n})`).allInnerTexts()).reduce((sum, x) => sum + Number(x), 0);
  assert.deepEqual([await column(1), await column(2), await column(3), await column(4)], [10, 6, 10, 2], 'entered, converted, control, control converted');

  const uplift = page.getByRole('region', { name: 'Against the control group' });
  assert.equal(await uplift.locator('.uplift-headline').innerText(), 'Converts 40.0 points better than the control group; p = 0.068: not enough evidence yet');
  assert.equal(await uplift.locator('.uplift-detail').innerText(), 'Journey 60.0% (6 of 10) · Control group 20.0% (2 of 10) · +200% relative');
  assert.equal(await uplift.locator('.uplift-test').innerText(), 'Two-proportion z-test: z = 1.83, p = 0.06789 (0.05 or above)');
  await checkAccessibility('chart and uplift');
  await shoot('stats-2-chart-uplift');
});

test('the figures refresh by themselves after an event: one more conversion, and now unlikely to be chance', async () => {
  // A mark on this document: a reload would make a new one without it.
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  assert.equal((await api('POST', '/v1/events', subscribed('sam', HOUR), server!.write)).status, 200);
  await kpi('Goal met').filter({ hasText: '7' }).waitFor({ timeout: 20_000 });
  await kpi('In journey now').filter({ hasText: '3' }).waitFor();
  await card('wait-1d').locator('.node-waiting', { hasText: '3 waiting now' }).waitFor();
  assert.deepEqual(await card('wait-1d').locator('.node-stat').allInnerTexts(), ['10 entered', '7 converted here']);
  // 7 of 10 against 2 of 10: pooled 0.45, z = 0.5 / sqrt(0.45 * 0.55 * 0.2) = 2.247, p = 0.0246.
  const uplift = page.getByRole('region', { name: 'Against the control group' });
  await uplift.locator('.uplift-headline', { hasText: 'Converts 50.0 points better than the control group; p = 0.025: unlikely to be chance' }).waitFor();
  assert.equal(await kpi('Against control').innerText(), 'Against control\n+50.0 pts\nunlikely to be chance');
  await page.locator('.chart-summary', { hasText: '10 entered, 7 converted' }).waitFor();
  assert.equal(await page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere), true, 'no reload');
  assert.equal(await page.url(), `${server!.url}/journeys/${JOURNEY}`);
});

test('a hidden tab reads no stats; shown again, it reads them at once', async () => {
  // Another window, signed in with the same cookie, on a clock the test moves: 5-second ticks without waiting
  // 5 seconds.
  const other = await browser!.newContext({ viewport: { width: 1440, height: 900 } });
  await other.addCookies(await page.context().cookies());
  const tab = await other.newPage();
  await tab.clock.install();
  await tab.goto(`${server!.url}/journeys/${JOURNEY}`);
  await tab.locator(`.node-card[data-node-id="wait-1d"] .node-waiting`).waitFor();
  // The installed clock runs with real time until paused, so a moment just ahead can be past by the time the
  // pause reaches the page on a slow machine: ask again, further ahead.
  for (let ahead = 100; ; ahead *= 4) {
    const now = await tab.evaluate(() => Date.now());
    try {
      await tab.clock.pauseAt(now + ahead);
      break;
    } catch (error) {
      if (ahead > 10_000 || !String(error).includes('fast-forward to the past')) throw error;
    }
  }
  const reads: string[] = [];
  tab.on('request', (r) => new URL(r.url()).pathname === `/v1/journeys/${JOURNEY}/stats` && reads.push(r.url()));
  // As text: the test's compiler would wrap a function's inner arrow in a helper the page does not have.
  const show = (state: 'hidden' | 'visible') =>
    tab.evaluate(`Object.defineProperty(document, 'visibilityState', { configurable: true, value: '${state}' }); document.dispatchEvent(new Event('visibilitychange'));`);
  await show('hidden');
  // Two of the 5-second ticks go by (the page's own 15-second reload of the journey does not come yet).
  await tab.clock.runFor(10_000);
  assert.deepEqual(reads, [], 'nothing read while hidden');
  const caughtUp = tab.waitForRequest((r) => new URL(r.url()).pathname === `/v1/journeys/${JOURNEY}/stats`);
  await show('visible');
  await caughtUp;
  assert.equal(reads.length, 1, 'one read the moment it is shown');
  await other.close();
  await page.bringToFront();
});

test('a backtest of the working copy: progress while it runs, then its figures on the cards, and clear', async () => {
  await page.getByRole('button', { name: 'Hide chart and uplift' }).click();
  const days = page.getByLabel('Replay the last');
  await days.fill('0');
  await page.getByRole('alert').filter({ hasText: 'From 1 to 90 days.' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Run backtest' }).isDisabled(), true);
  await days.fill('7');

  // Held at the network until the page has shown that it is running: no race with a fast replay.
  let held: Route | undefined;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let passed: Promise<void> | undefined;
  await page.route(`**/v1/journeys/${JOURNEY}/backtest`, (route) => {
    held = route;
    passed = released.then(() => route.continue());
    return passed;
  });
  await page.getByRole('button', { name: 'Run backtest' }).click();
  const running = page.getByRole('button', { name: 'Replaying 7 days…' });
  await running.waitFor();
  assert.equal(await running.isDisabled(), true);
  await page.getByRole('status').filter({ hasText: 'Replaying 7 days of events on a virtual clock…' }).waitFor();
  await eventually(async () => held, 5_000, 'the backtest request');
  const sent = held!.request().postDataJSON();
  assert.equal(sent.days, 7);
  assert.deepEqual(sent.definition, definition, 'the working copy, as the editor holds it');
  release();
  await passed;
  await page.unroute(`**/v1/journeys/${JOURNEY}/backtest`);

  const summary = page.getByRole('region', { name: 'Backtest result' });
  await summary.waitFor({ timeout: 60_000 });
  // 20 starts and 9 conversions; the sends: 6 SMS, and the email to jo and max, whose day had passed.
  assert.deepEqual(await summary.locator('.backtest-figures li').allInnerTexts(), ['29 events replayed', '20 users', '10 would have entered', '10 held out', '8 messages sent', '7 converted']);
  const trial = (id: string) => card(id).locator('.trial-stat').allInnerTexts();
  assert.deepEqual(await trial('trial-started'), ['10 entered', '10 held out']);
  assert.deepEqual(await trial('sms-offer'), ['10 entered', '6 sent']);
  // ben, eve and hal converted 2.5 days ago inside their day's wait; ned, quin, rae and sam too; tom still waits.
  assert.deepEqual(await trial('wait-1d'), ['10 entered', '7 converted']);
  assert.deepEqual(await trial('email-reminder'), ['2 entered', '2 sent']);
  assert.deepEqual(await trial('done'), ['2 entered']);
  // The live figures are still there beside them.
  assert.deepEqual(await card('email-reminder').locator('.node-stat').allInnerTexts(), ['0 entered', '0 sent']);
  assert.equal(await page.getByRole('button', { name: 'Run backtest' }).isDisabled(), false);
  await checkAccessibility('backtest overlay');
  await shoot('stats-3-backtest-overlay');
  await page.getByRole('button', { name: 'Fit View' }).click();
  await viewSettled();
  await page.locator('.canvas').screenshot({ path: join(SHOTS, 'stats-4-backtest-whole-journey.png') });

  await summary.getByRole('button', { name: 'Clear backtest' }).click();
  await summary.waitFor({ state: 'detached' });
  assert.equal(await page.locator('.node-trial').count(), 0);
  assert.deepEqual(problems, [], 'no console errors or failed requests');
});

test('a click on a message shows on its card by itself: one opened, one clicked', async () => {
  const ben = (await api('GET', '/v1/users/ben/messages')).body.messages.find((m: { nodeId: string }) => m.nodeId === 'sms-offer');
  assert.equal((await api('POST', `/v1/messages/${encodeURIComponent(ben.id)}/click`, {}, server!.write)).status, 200);
  await card('sms-offer').locator('.node-stat', { hasText: '1 clicked' }).waitFor({ timeout: 20_000 });
  assert.deepEqual(await card('sms-offer').locator('.node-stat').allInnerTexts(), ['10 entered', '6 sent', '4 skipped', '1 opened', '1 clicked']);
});
