/**
 * The users, messages and settings pages in a real browser against a real server seeded over the API (see
 * pages-seed.ts for what each user went through and why). Each page is checked with axe-core and saved as a
 * screenshot under test/web/screenshots/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { ROOT } from '../helpers.ts';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type Served, type DashboardPage } from './browser-fixture.ts';
import { CROWD, seedPages, VIEWS } from './pages-seed.ts';


let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
let shoot: DashboardPage['shoot'];

before(async () => {
  ensureDashboardBuilt();
  server = await serve(['examples/abandoned-cart.json']);
  await seedPages(server);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
});

after(async () => {
  await browser?.close();
  await server?.close();
});



const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** The rows of a pass's message table: [message node + channel, outcome, why]. */
async function stepsOf(pass: Locator): Promise<string[][]> {
  const rows = await pass.getByRole('row').all();
  const cells = await Promise.all(rows.slice(1).map((row) => row.getByRole('cell').allInnerTexts()));
  return cells.map(([message, outcome, why]) => [message!.replace(/\s+/g, ' '), outcome!, why!.split('\n')[0]!]);
}

test('sign in; the top bar leads to every section and marks the current one', async () => {
  await page.goto(server!.dashboard);
  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
  const links = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
  assert.deepEqual(await links.allInnerTexts(), ['Journeys', 'Users', 'Messages', 'Settings', 'Keys', 'Team'], 'the admin key is admin: every section');
  assert.equal(await nav('Journeys').getAttribute('aria-current'), 'page');
  assert.equal(await nav('Users').getAttribute('aria-current'), null);

  // By keyboard: focus the link, press Enter.
  await nav('Users').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server!.url}/users`);
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  assert.equal(await nav('Users').getAttribute('aria-current'), 'page');
  assert.equal(await nav('Journeys').getAttribute('aria-current'), null);
  await page.getByRole('heading', { name: 'Look up a user by id' }).waitFor();
  await checkAccessibility('users search');
  await shoot('6-users-search');
});

test('a user nobody has heard of is said to be unknown', async () => {
  await page.getByLabel('User id').fill('nobody');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${server!.url}/users/nobody`);
  await page.getByRole('heading', { name: 'No user “nobody”' }).waitFor();
  assert.match(await page.getByRole('status').filter({ hasText: 'No user' }).innerText(), /Nothing is recorded for this id: no profile, events, journeys or messages\./);
  await checkAccessibility('unknown user');
  await shoot('6b-user-unknown');
});

test('a user’s profile, events newest first with more on demand, in the project’s time zone', async () => {
  await page.getByLabel('User id').fill('ada');
  await page.getByRole('button', { name: 'Look up' }).click();
  await page.waitForURL(`${server!.url}/users/ada`);
  await page.getByRole('heading', { name: 'ada', level: 2 }).waitFor();
  await page.getByText('Times are in Asia/Tokyo, the project’s time zone.').waitFor();
  const traits = page.locator('.traits > div');
  assert.deepEqual(await traits.allInnerTexts(), ['name\nAda', 'plan\npro', 'pushToken\ntok-ada']);

  const events = page.getByRole('region', { name: 'Events' }).getByRole('listitem');
  await events.first().waitFor();
  assert.equal(await events.count(), 50, 'one page of events');
  // Newest first: today's two (sent a moment apart, maybe in the same millisecond), then the views of November.
  const names = async (from: number, to: number) => (await page.locator('.event-name').allInnerTexts()).slice(from, to);
  assert.deepEqual((await names(0, 2)).sort(), ['Opened App', 'Signed Up']);
  assert.deepEqual(await names(2, 50), Array(48).fill('Viewed Page'));
  await page.getByRole('button', { name: 'Load more events' }).click();
  await events.nth(VIEWS + 1).waitFor();
  assert.equal(await events.count(), VIEWS + 2, 'every event: two today, sixty views');
  assert.equal(await page.getByRole('button', { name: 'Load more events' }).count(), 0, 'nothing more to load');
  // The first view: 2026-11-01T00:00:00Z is 09:00 in Tokyo.
  const oldest = events.last();
  assert.match(await oldest.innerText(), /^Viewed Page\n1 Nov 2026, 09:00:00\n1 property/);
  await oldest.getByText('1 property').focus();
  await page.keyboard.press('Enter');
  assert.equal(JSON.parse(await oldest.locator('pre').innerText()).path, '/p/0');
});

test('each journey of the user, and why every message was or was not sent', async () => {
  const passes = page.getByRole('article');
  await page.getByRole('cell', { name: /Frequency cap/ }).waitFor();
  assert.equal(await passes.count(), 3);
  const pass = (name: string) => passes.filter({ has: page.getByRole('heading', { name, exact: true }) });

  const welcome = pass('Welcome series');
  const [sent, ...unsent] = await stepsOf(welcome);
  assert.deepEqual(sent!.slice(0, 2), ['welcome-push Push', 'Sent']);
  assert.match(sent![2]!, /^Sent by push to tok-ada at \d{1,2} Dec 2026, \d{2}:\d{2}:\d{2}$/);
  assert.deepEqual(unsent, [
    ['tips-push Push', 'Not sent', 'Frequency cap: the project’s limit was reached'],
    ['welcome-email Email', 'Not sent', 'Missing address: the profile has no email'],
  ]);
  assert.match(await welcome.locator('.facts').innerText(), /Why exited\nCompleted the journey$/);
  assert.deepEqual(await stepsOf(pass('Quiet hours check')), [['quiet-push Push', 'Not sent', 'Do-not-disturb hours: skipped rather than deferred']]);
  const heldOut = pass('Held-out offer');
  assert.deepEqual(await stepsOf(heldOut), [['offer-push Push', 'Not sent', 'Control group: held out, gets no messages']]);
  assert.equal(await heldOut.locator('.pill').first().innerText(), 'Control group');
  // Times in the server's sentences read in Tokyo too, never as ISO strings.
  assert.doesNotMatch(await page.locator('main').innerText(), /\d{4}-\d{2}-\d{2}T\d{2}:/);
  await checkAccessibility('user ada');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('.events-card').evaluate((el) => el.scrollTo(0, 0));
  await shoot('7-user-ada');
  await page.getByRole('heading', { name: 'Journeys and messages' }).evaluate((el) => el.scrollIntoView());
  await shoot('7b-user-ada-journeys');

  await welcome.getByRole('link', { name: 'Welcome series' }).click();
  await page.waitForURL(`${server!.url}/journeys/welcome`);
  await page.locator('.react-flow__node').first().waitFor();
  assert.equal(await nav('Journeys').getAttribute('aria-current'), 'page');
  await page.goBack();
  await page.getByRole('heading', { name: 'ada', level: 2 }).waitFor();
});

test('goal met, and unsubscribed, in words', async () => {
  await page.goto(`${server!.url}/users/cy`);
  const cart = page.getByRole('article').filter({ hasText: 'Abandoned cart recovery' });
  await cart.getByRole('cell', { name: /Goal met/ }).first().waitFor();
  assert.deepEqual(
    (await stepsOf(cart)).map((row) => row.slice(0, 2).concat(row[2]!.startsWith('Sent') ? 'Sent' : row[2]!)),
    [
      ['push-free-shipping Push', 'Sent', 'Sent'],
      ['sms-10-off SMS', 'Not sent', 'Goal met: the user left before this message'],
      ['email-final-reminder Email', 'Not sent', 'Goal met: the user left before this message'],
    ],
  );
  assert.match(await cart.locator('.facts').innerText(), /Why exited\nGoal met \(“purchase”\) while at wait-2h-before-sms/);

  // An anonymous id merged into cy reads as cy, and says so.
  await page.goto(`${server!.url}/users/device-cy`);
  await page.getByRole('note').filter({ hasText: 'You looked up device-cy: an anonymous id merged into this user' }).waitFor();
  assert.equal(await page.locator('#profile-title').innerText(), 'cy');

  await page.goto(`${server!.url}/users/bob`);
  const welcome = page.getByRole('article').filter({ hasText: 'Welcome series' });
  await welcome.getByRole('cell', { name: /Unsubscribed/ }).waitFor();
  assert.deepEqual((await stepsOf(welcome))[2], ['welcome-email Email', 'Not sent', 'Unsubscribed: the user opted out of this channel']);
});

test('the message log: a page at a time, filtered by journey and user, each user a link', async () => {
  await nav('Messages').click();
  await page.waitForURL(`${server!.url}/messages`);
  const rows = page.getByRole('table', { name: 'Messages' }).locator('tbody tr');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 50);
  assert.match(await page.getByRole('status').filter({ hasText: 'shown' }).innerText(), /^50 messages shown$/);
  await checkAccessibility('messages');
  await shoot('8-messages');
  await page.getByRole('button', { name: 'Load more messages' }).click();
  const total = 4 * (2 + CROWD.length) + 1; // four per sign-up, cy's cart push
  await rows.nth(total - 1).waitFor();
  assert.equal(await rows.count(), total);
  await page.getByRole('status').filter({ hasText: `${total} messages shown, the end of the log` }).waitFor();

  await page.getByLabel('User id').fill('ada');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('status').filter({ hasText: '4 messages shown' }).waitFor();
  const cells = async () => (await rows.all()).map(async (row) => (await row.getByRole('cell').allInnerTexts()).slice(1));
  const adaRows = (await Promise.all(await cells())).map((c) => c.map((t) => t.replace(/\s+/g, ' ')).join(' | ')).sort();
  assert.deepEqual(adaRows, [
    'ada | Quiet hours check v1 | quiet-push | Push | Skipped | — | Do-not-disturb hours: skipped rather than deferred',
    'ada | Welcome series v1 | tips-push | Push | Skipped | — | Frequency cap: the project’s limit was reached',
    'ada | Welcome series v1 | welcome-email | Email | Skipped | — | Missing address: the profile has no email',
    'ada | Welcome series v1 | welcome-push | Push | Sent | Built-in outbox | —',
  ]);
  // Newest first: ada's three skips came after her welcome push, which was her first message.
  assert.match((await rows.last().getByRole('cell').allInnerTexts()).join(' | '), /welcome-push \| Push \| Sent/);
  await page.getByLabel('Status').selectOption({ label: 'Skipped' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('status').filter({ hasText: '3 messages shown' }).waitFor();
  await page.getByLabel('Channel').selectOption({ label: 'Email' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('status').filter({ hasText: '1 message shown' }).waitFor();
  assert.match((await rows.first().getByRole('cell').allInnerTexts()).join(' | '), /welcome-email \| Email \| Skipped/);
  await page.getByLabel('Channel').selectOption({ label: 'All' });
  await page.getByLabel('Status').selectOption({ label: 'All' });
  await page.getByLabel('Journey').selectOption({ label: 'Quiet hours check' });
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('status').filter({ hasText: '1 message shown' }).waitFor();

  await page.getByLabel('User id').fill('nobody');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('heading', { name: 'No messages match these filters' }).waitFor();
  await checkAccessibility('messages, none match');
  await shoot('9-messages-none-match');
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await page.getByRole('status').filter({ hasText: '50 messages shown' }).waitFor();
  assert.equal(await page.getByLabel('User id').inputValue(), '');

  await rows.first().getByRole('link').first().click();
  await page.waitForURL(/\/users\/[^/]+$/);
  await page.getByRole('heading', { name: 'Events' }).waitFor();
});

test('settings: the time zone and caps, saved with PUT; the server’s word shown next to the field it names', async () => {
  await nav('Settings').click();
  await page.waitForURL(`${server!.url}/settings`);
  const zone = page.getByLabel('Project time zone');
  await zone.waitFor();
  assert.equal(await zone.inputValue(), 'Asia/Tokyo');
  const cap = (n: number) => page.getByRole('group', { name: `Cap ${n}` });
  assert.equal(await cap(1).getByLabel('Channel').inputValue(), 'push');
  assert.equal(await cap(1).getByLabel('At most (messages)').inputValue(), '1');
  assert.equal(await cap(1).getByLabel('In any window of').inputValue(), '1');
  assert.equal(await cap(1).getByLabel('Window unit of cap 1').inputValue(), 'd');
  await checkAccessibility('settings');
  await shoot('10-settings');

  // The server refuses a cap of 0 messages and names the field: the message sits under it.
  const max = cap(1).getByLabel('At most (messages)');
  await max.fill('0');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('alert').filter({ hasText: 'The settings were not saved.' }).waitFor();
  assert.equal(await max.getAttribute('aria-invalid'), 'true');
  const described = await max.getAttribute('aria-describedby');
  assert.equal(await page.locator(`[id="${described}"]`).innerText(), 'Must be at least 1');
  assert.ok(await max.evaluate((el) => el === document.activeElement), 'the field to fix has the focus');
  await checkAccessibility('settings with an error');
  await shoot('11-settings-error');

  // A blank window is caught before anything is sent.
  await max.fill('2');
  await cap(1).getByLabel('In any window of').fill('');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await cap(1).getByText('Enter a whole number for the window').waitFor();
  await cap(1).getByLabel('In any window of').fill('1');

  await page.getByRole('button', { name: 'Add a cap' }).click();
  await cap(2).getByLabel('Channel').selectOption('email');
  await cap(2).getByLabel('At most (messages)').fill('3');
  await cap(2).getByLabel('In any window of').fill('12');
  await cap(2).getByLabel('Window unit of cap 2').selectOption('h');
  await zone.selectOption('Europe/Paris');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
  const stored = () => fetch(`${server!.url}/v1/settings`, { headers: { authorization: `Bearer ${server!.admin}` } }).then((r) => r.json());
  assert.deepEqual(await stored(), {
    timezone: 'Europe/Paris',
    frequencyCaps: [
      { max: 2, per: '1d', channel: 'push' },
      { max: 3, per: '12h', channel: 'email' },
    ],
  });

  await page.getByRole('button', { name: 'Remove cap 1' }).click();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor();
  assert.deepEqual((await stored()).frequencyCaps, [{ max: 3, per: '12h', channel: 'email' }]);

  await page.reload();
  await page.getByLabel('Project time zone').waitFor();
  assert.equal(await page.getByLabel('Project time zone').inputValue(), 'Europe/Paris');
  assert.equal(await page.getByRole('group', { name: /^Cap \d+$/ }).count(), 1);
  assert.equal(await cap(1).getByLabel('Channel').inputValue(), 'email');

  const expected = (p: string) => p === '404 GET /v1/users/nobody' || p === '400 PUT /v1/settings';
  assert.deepEqual(problems.filter((p) => !expected(p)), [], 'no console errors or failed requests besides the expected ones');
});
