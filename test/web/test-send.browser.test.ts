/**
 * "Send test" in the composer, in a real browser against a real server and a real SMTP server on loopback: with
 * no email provider set, the server's answer says so and nothing is sent; with one set, the email node's message
 * arrives at the address typed, and the composer shows the provider's answer. The address is needed before the
 * button works, and an unsaved edit must be saved first (the server sends the saved draft).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { smtpServer } from '../channels/smtp-server.ts';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type DashboardPage, type Served } from './browser-fixture.ts';

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
// At the top level: its own after() closes it when the file ends.
const smtp = await smtpServer();

before(async () => {
  ensureDashboardBuilt();
  server = await serve(['examples/abandoned-cart.json']);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility } = await openPage(browser));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const panel = () => page.getByRole('complementary', { name: 'email-final-reminder' });
const section = () => panel().getByRole('region', { name: 'Send a test' });

test('with no email provider, Send test says so and sends nothing', async () => {
  await page.goto(server!.dashboard);
  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Abandoned cart recovery' }).click();
  await page.locator('.node-card[data-node-id="email-final-reminder"]').dispatchEvent('click');
  const button = section().getByRole('button', { name: 'Send test' });
  assert.equal(await button.isDisabled(), true, 'no address yet');
  await section().getByLabel('Email address').fill('ada@example.com');
  await button.click();
  await section().getByText(/no provider is set for Email/).waitFor();
  assert.equal(smtp.mails.length, 0);
  await checkAccessibility('test send: no provider');
});

test('with SMTP set, the test email arrives at the address typed and the answer is shown', async () => {
  const put = await fetch(`${server!.url}/v1/providers/email`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server!.admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'smtp', host: '127.0.0.1', port: smtp.port, from: 'Shop <news@shop.test>' }),
  });
  assert.equal(put.status, 200, await put.text());
  await section().getByRole('button', { name: 'Send test' }).click();
  await section().getByText(/^Sent: smtp took it \(message id test-[0-9a-f-]+\)\.$/).waitFor();
  assert.equal(smtp.mails.length, 1);
  assert.deepEqual(smtp.mails[0]!.to, ['ada@example.com']);
  assert.match(smtp.mails[0]!.raw, /^Subject: Your cart is about to expire\r?$/m);
  await checkAccessibility('test send: sent');

  // An edit not yet saved: the server would send the saved message, so the button waits for a save.
  const subject = panel().getByRole('textbox', { name: 'Subject' });
  await subject.fill('Last call');
  await subject.blur();
  await section().getByText('Save the draft first: a test sends the saved message.').waitFor();
  assert.equal(await section().getByRole('button', { name: 'Send test' }).isDisabled(), true);
  // The one failed request is the 409 of the first test, shown as its message: no console error, no other failure.
  assert.deepEqual(problems, ['409 POST /v1/journeys/abandoned-cart/nodes/email-final-reminder/test-send']);
});
