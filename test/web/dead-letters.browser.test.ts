/**
 * Dead letters sent again from the messages page, in a real browser against a real server: webhooks to a
 * receiver that is down (503 with Retry-After: 0, so the 8 attempts are made at once and the messages die
 * within a moment), then up. An editor sees the dead letters without a button; an admin sends one again from
 * its row, then the others with "Send all again", which asks first, saying how many; a notice says what
 * happened, and the receiver gets each message once, under its own id.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { eventually } from '../api/helpers.ts';
import { recoveringReceiver } from '../channels/recovering-receiver.ts';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type DashboardPage, type Served } from './browser-fixture.ts';

const PEOPLE = [
  { email: 'eve@example.com', name: 'Eve Editor', role: 'editor', password: 'eve-password-12' },
  { email: 'ada@example.com', name: 'Ada Admin', role: 'admin', password: 'ada-password-12' },
] as const;
const USERS = ['ana', 'bo', 'cy'];

let server: Served | undefined;
let browser: Browser | undefined;
// At the top level: a receiver made in before() would be closed when the hook ends (its after() would run then).
const receiver = await recoveringReceiver();
/** Each message's id by its user. */
let idOf: Record<string, string> = {};

const call = (method: string, path: string, body?: unknown, key = server!.admin): Promise<any> => server!.call(key, method, path, body);
const log = async (): Promise<Array<{ id: string; userId: string; status: string; attempts: number }>> => (await call('GET', '/v1/messages?limit=100')).messages;

before(async () => {
  ensureDashboardBuilt();
  server = await serve([]);
  for (const person of PEOPLE) await call('POST', '/v1/team', person);
  await call('PUT', '/v1/providers/webhook', { provider: 'webhook', secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}`, allowHosts: ['127.0.0.1'] });
  await call('POST', '/v1/journeys', {
    id: 'order-sync',
    definition: {
      name: 'Order sync',
      nodes: [
        { id: 'ordered', kind: 'entry', trigger: { type: 'action', event: 'Ordered' } },
        { id: 'crm-hook', kind: 'send', channel: 'webhook', message: { url: `${receiver.url}/orders`, body: '{"order":"{{ Event.order }}"}' } },
        { id: 'done', kind: 'exit' },
      ],
      edges: [{ from: 'ordered', to: 'crm-hook' }, { from: 'crm-hook', to: 'done' }],
    },
  });
  await call('POST', '/v1/journeys/order-sync/publish', {});
  await call('POST', '/v1/events', { batch: USERS.map((userId) => ({ userId, event: 'Ordered', messageId: `order-${userId}`, properties: { order: userId } })) }, server!.write);
  const dead = await eventually(async () => {
    const rows = await log();
    return rows.length === USERS.length && rows.every((m) => m.status === 'dead') ? rows : undefined;
  }, 60_000, 'three dead letters');
  assert.deepEqual(dead.map((m) => m.attempts), [8, 8, 8]);
  assert.deepEqual([receiver.attempts.length, receiver.attempts.every((a) => a.status === 503)], [24, true], 'every attempt refused');
  idOf = Object.fromEntries(dead.map((m) => [m.userId, m.id]));
  receiver.up();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh page signed in as `email`, on the messages page filtered on dead letters. */
async function deadLettersAs(email: string, password: string): Promise<DashboardPage> {
  const opened = await openPage(browser!);
  const { page } = opened;
  await page.goto(server!.dashboard);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages', exact: true }).click();
  await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
  await page.getByLabel('Status').selectOption('dead');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  return opened;
}

const rows = (page: Page) => page.locator('.messages-table tbody tr');

test('an editor sees the dead letters, and no button to send them again', async () => {
  const { page, problems, checkAccessibility } = await deadLettersAs(PEOPLE[0].email, PEOPLE[0].password);
  await page.waitForFunction(() => document.querySelectorAll('.messages-table tbody tr.dead-letter').length === 3);
  assert.equal(await page.getByRole('button', { name: /Send (all )?again/ }).count(), 0);
  await checkAccessibility('dead letters, as an editor');
  assert.deepEqual(problems, []);
  await page.context().close();
});

test('an admin sends one dead letter again from its row, then the others with "Send all again", asked first; each is delivered once', async () => {
  const { page, problems, checkAccessibility, shoot } = await deadLettersAs(PEOPLE[1].email, PEOPLE[1].password);
  await page.waitForFunction(() => document.querySelectorAll('.messages-table tbody tr.dead-letter').length === 3);
  assert.equal(await page.getByRole('button', { name: /^Send again: / }).count(), 3, 'one button a dead letter');
  await checkAccessibility('dead letters, as an admin');
  await shoot('9g-dead-letters');

  // One, from its row.
  const ana = rows(page).filter({ hasText: 'ana' });
  await ana.getByRole('button', { name: 'Send again: the crm-hook message to ana' }).click();
  await page.getByRole('status').filter({ hasText: 'The message to ana is queued again, under its own id: it goes out within seconds.' }).waitFor();
  await ana.getByText('Queued', { exact: true }).waitFor();
  assert.equal(await ana.getByRole('button').count(), 0, 'queued now: no button');
  assert.equal(await ana.locator('td.why').innerText(), 'Sent again after a dead letter: http_503');
  await eventually(async () => ((await log()).find((m) => m.userId === 'ana')!.status === 'sent' ? true : undefined), 30_000, "ana's message sent");
  assert.deepEqual(receiver.attempts.slice(24), [{ id: idOf.ana, status: 204 }], 'once, under its own id');
  await shoot('9h-dead-letter-sent-again');

  // The others: the dialog says how many, counted by the server.
  await page.getByRole('button', { name: 'Send all again' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send 2 dead letters again?' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /The 2 dead letters matching these filters go back to the queue, due now, each under its own id\. Messages in any other status are left as they are\./);
  await checkAccessibility('send all again, asked');
  await shoot('9i-send-all-again');
  assert.equal(receiver.attempts.length, 25, 'asking sends nothing');
  await dialog.getByRole('button', { name: 'Send 2 again' }).click();
  await page.getByRole('status').filter({ hasText: '2 dead letters are queued again, each under its own id: they go out within seconds.' }).waitFor();
  await page.getByRole('heading', { name: 'No messages match these filters' }).waitFor();
  await eventually(async () => ((await log()).every((m) => m.status === 'sent') ? true : undefined), 30_000, 'every message sent');
  assert.deepEqual(receiver.attempts.slice(25).map((a) => [a.id, a.status]).sort(), [[idOf.bo, 204], [idOf.cy, 204]].sort());
  assert.deepEqual((await log()).map((m) => m.attempts), [1, 1, 1]);
  await shoot('9j-dead-letters-all-sent');
  assert.equal(receiver.attempts.length, 27, 'each once');
  assert.deepEqual(problems, []);
});
