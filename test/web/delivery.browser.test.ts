/**
 * Delivery in a real browser against a real server: a webhook provider set through the settings form (a
 * refused secret shown at its field, then one made in the browser), listed with its secret only said to be
 * set, changed with the secret left empty (kept), removed back to the outbox; Twilio for SMS the same way,
 * with the inbox said to need no provider; push with APNs and Web Push keys made here (a refused service
 * account and a mismatched VAPID key shown at their fields, the keys never shown back, kept on an update that
 * leaves them empty); and the messages page filtered
 * on dead letters, seeded through the store (no journey can make one without an hour of retries); and a
 * real retry (a loopback receiver answering 503) told in words on the user's page.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import webPush from 'web-push';
import { openSqliteStore } from '../../src/store/open.ts';
import { eventually } from '../api/helpers.ts';
import type { NewMessage } from '../../src/store/store.ts';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type DashboardPage, type Served } from './browser-fixture.ts';

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
let shoot: DashboardPage['shoot'];
/** Every answer of the API the page read, as text: no secret may be in any. */
const answers: string[] = [];

const LATER = Date.UTC(2026, 11, 3, 12, 30, 0);

const message = (id: string, userId: string): NewMessage => ({
  id, journeyId: 'abandoned-cart', version: 1, instanceId: `seeded-${id}`, nodeId: 'order-hook', userId, channel: 'webhook', status: 'pending', reason: null,
  content: { url: 'https://hooks.example.com/orders', body: '{}' }, createdAt: LATER - 60_000, sentAt: null,
});

/**
 * One dead letter (http_503 after its only attempt) and one message waiting for a retry, written through the
 * store. The write lock is held from insert to outcome so the server's dispatcher cannot claim them between.
 */
async function seedDelivery(db: string): Promise<void> {
  const store = openSqliteStore(db);
  try {
    store.db.exec('BEGIN IMMEDIATE');
    await store.ingestEvents([{ messageId: 'seed-delivery', userId: 'dora', name: 'Seeded', timestamp: LATER - 60_000, properties: {} }], LATER - 60_000, () => ({
      instances: [], stats: [], messages: [message('dead-1', 'dora'), message('retry-1', 'rita')],
    }));
    assert.deepEqual((await store.pendingMessages(10)).map((m) => m.id).sort(), ['dead-1', 'retry-1']);
    await store.recordOutcomes([
      { id: 'dead-1', status: 'dead', at: LATER, error: 'http_503', provider: 'webhook' },
      { id: 'retry-1', status: 'retry', at: LATER, error: 'timeout', nextAttemptAt: LATER + 365 * 86_400_000, provider: 'webhook' },
    ]);
    store.commitGroup();
  } finally {
    store.rollbackGroup();
    await store.close();
  }
}

before(async () => {
  ensureDashboardBuilt();
  server = await serve(['examples/abandoned-cart.json']);
  await seedDelivery(server.db);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  page.on('response', async (r) => {
    if (!new URL(r.url()).pathname.startsWith('/v1/')) return;
    answers.push(await r.text().catch(() => ''));
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const call = (key: string, method: string, path: string, body?: unknown): Promise<any> => server!.call(key, method, path, body);
const api = (path: string) => call(server!.admin, 'GET', path);
const webhookCard = () => page.getByRole('region', { name: 'Webhook' });

test('the Delivery section lists email and webhook on the outbox', async () => {
  await page.goto(server!.dashboard);
  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByRole('heading', { name: 'Delivery', exact: true, level: 2 }).waitFor();
  await webhookCard().waitFor();
  const cards = page.locator('.provider-card h3');
  assert.deepEqual(await cards.allInnerTexts(), ['Push', 'SMS', 'Email', 'WhatsApp', 'Webhook']);
  assert.match(await webhookCard().innerText(), /Built-in outbox/);
  const panel = await page.locator('.delivery-panel').innerText();
  assert.doesNotMatch(panel, /no provider yet/, 'every channel that can have a provider has its form');
  assert.match(panel, /Inbox needs no provider: its messages are delivered by being stored, for your app to read with GET \/v1\/inbox\/:userId\./);
  assert.equal(await webhookCard().getByRole('button', { name: 'Remove the webhook provider' }).count(), 0);
  await checkAccessibility('delivery settings');
  await page.getByRole('heading', { name: 'Delivery', exact: true, level: 2 }).scrollIntoViewIfNeeded();
  await shoot('9-delivery-outbox');

  // The email form: every field labelled, the port filled with the usual one; cancelling changes nothing.
  await page.getByRole('region', { name: 'Email' }).getByRole('button', { name: 'Set up the email provider' }).click();
  assert.equal(await page.getByLabel('Port', { exact: true }).inputValue(), '587');
  assert.equal(await page.locator('#smtp-password').getAttribute('type'), 'password');
  await page.getByLabel('SMTP host').fill('smtp.example.com');
  await page.getByLabel('Port', { exact: true }).fill('five');
  await page.getByRole('button', { name: 'Save email provider' }).click();
  assert.equal(await page.locator('#smtp-port-error').innerText(), 'Enter a whole number, e.g. 587 (STARTTLS) or 465 (TLS)', 'checked before sending');
  await checkAccessibility('email provider form');
  await page.getByRole('region', { name: 'Email' }).scrollIntoViewIfNeeded();
  await shoot('9a-delivery-email-form');
  await page.getByRole('button', { name: 'Cancel' }).click();
  assert.match(await page.getByRole('region', { name: 'Email' }).innerText(), /Built-in outbox/);
});

test('a webhook provider set through the form: a refused secret at its field, then a generated one, shown only as set', async () => {
  await webhookCard().getByRole('button', { name: 'Set up the webhook provider' }).click();
  const secretField = page.locator('#webhook-secret');
  await secretField.fill('whsec_dG9vIHNob3J0');
  await page.getByLabel('Timeout in milliseconds (optional)').fill('2500');
  await page.getByLabel('Allowed private hosts (optional)').fill('127.0.0.1\nhooks.lan');
  await page.getByRole('button', { name: 'Save webhook provider' }).click();
  await page.locator('#webhook-secret-error').waitFor();
  assert.equal(await page.locator('#webhook-secret-error').innerText(), 'Must be whsec_ followed by the base64 of 24 to 64 bytes');
  assert.equal(await secretField.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'webhook-secret', 'the field to fix has the focus');

  await webhookCard().getByRole('button', { name: 'Generate' }).click();
  const secret = await page.getByLabel('The new signing secret').innerText();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(await secretField.inputValue(), secret, 'the generated secret is the one saved');
  assert.equal(await secretField.getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Copy' }).click();
  await page.getByRole('status').filter({ hasText: 'Copied to the clipboard.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
  assert.equal(await page.locator('#webhook-secret-error').count(), 0, 'the problem goes once the secret is changed');
  await checkAccessibility('webhook provider form');
  await webhookCard().scrollIntoViewIfNeeded();
  await page.mouse.wheel(0, 200);
  await shoot('9b-delivery-webhook-form');

  await page.getByRole('button', { name: 'Save webhook provider' }).click();
  await page.getByText('Saved: webhook messages are delivered by Signed webhooks.').waitFor();
  const card = await webhookCard().innerText();
  assert.match(card, /Signed webhooks/);
  assert.match(card, /Signing secret\s+set/);
  assert.match(card, /Timeout \(ms\)\s+2500/);
  assert.match(card, /Allowed private hosts\s+127\.0\.0\.1, hooks\.lan/);
  assert.deepEqual(await api('/v1/providers').then((b) => b.providers.find((p: { channel: string }) => p.channel === 'webhook').settings), {
    allowHosts: ['127.0.0.1', 'hooks.lan'], provider: 'webhook', secret: { set: true }, timeoutMs: 2500,
  });
  assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page once saved');
  await checkAccessibility('webhook provider set');
  await webhookCard().scrollIntoViewIfNeeded();
  await shoot('9c-delivery-webhook-set');

  // Changed with the secret left empty: the server keeps it.
  await webhookCard().getByRole('button', { name: 'Change the webhook provider' }).click();
  assert.equal(await secretField.inputValue(), '');
  assert.equal(await secretField.getAttribute('placeholder'), 'Stored: leave empty to keep it');
  assert.match(await page.locator('label[for="webhook-secret"]').innerText(), /Signing secret\s+set/);
  await page.getByLabel('Timeout in milliseconds (optional)').fill('3000');
  await page.getByRole('button', { name: 'Save webhook provider' }).click();
  await webhookCard().getByText('3000').waitFor();
  assert.match(await webhookCard().innerText(), /Signing secret\s+set/);
  const after = (await api('/v1/providers')).providers.find((p: { channel: string }) => p.channel === 'webhook');
  assert.deepEqual(after.settings.secret, { set: true });
  assert.equal(after.settings.timeoutMs, 3000);

  await page.reload();
  await webhookCard().getByText('Signed webhooks').waitFor();
  assert.ok(!(await page.content()).includes(secret), 'nor on a fresh read');
  const seen = answers.filter((a) => a.includes(secret));
  assert.deepEqual(seen, [], 'no API answer the page read carries the secret');
  assert.ok(answers.some((a) => a.includes('"secret":{"set":true}')), 'the page did read the provider back');
});

test('a Twilio provider for SMS through the form: a refused account SID at its field, then saved with its token shown only as set', async () => {
  const smsCard = () => page.getByRole('region', { name: 'SMS', exact: true });
  const token = 'twilio-token-shown-nowhere';
  await smsCard().getByRole('button', { name: 'Set up the sms provider' }).click();
  assert.equal(await page.locator('#sms-twilio-token').getAttribute('type'), 'password');
  await page.getByLabel('Account SID').fill('AC123');
  await page.getByLabel('Auth token').fill(token);
  await page.getByLabel('From number').fill('+15005550006');
  await page.getByLabel('Public URL (optional)').fill('https://waymark.shop.example');
  await page.getByRole('button', { name: 'Save sms provider' }).click();
  await page.locator('#sms-twilio-account-error').waitFor();
  assert.equal(await page.locator('#sms-twilio-account-error').innerText(), 'Must be AC followed by 32 hex digits (Twilio console, Account Info)');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'sms-twilio-account', 'the field to fix has the focus');
  await checkAccessibility('twilio provider form');
  await smsCard().scrollIntoViewIfNeeded();
  await shoot('9e-delivery-twilio-form');

  await page.getByLabel('Account SID').fill(`AC${'ab'.repeat(16)}`);
  await page.getByRole('button', { name: 'Save sms provider' }).click();
  await page.getByText('Saved: sms messages are delivered by Twilio.').waitFor();
  const card = await smsCard().innerText();
  assert.match(card, /Auth token\s+set/);
  assert.match(card, /From\s+\+15005550006/);
  assert.deepEqual((await api('/v1/providers')).providers.find((p: { channel: string }) => p.channel === 'sms').settings, {
    accountSid: `AC${'ab'.repeat(16)}`, authToken: { set: true }, from: '+15005550006', provider: 'twilio', publicUrl: 'https://waymark.shop.example',
  });

  // Changed with the token left empty: kept.
  await smsCard().getByRole('button', { name: 'Change the sms provider' }).click();
  assert.equal(await page.locator('#sms-twilio-token').getAttribute('placeholder'), 'Stored: leave empty to keep it');
  await page.getByLabel('From number').fill('+15005550007');
  await page.getByRole('button', { name: 'Save sms provider' }).click();
  await smsCard().getByText('+15005550007').waitFor();
  assert.deepEqual((await api('/v1/providers')).providers.find((p: { channel: string }) => p.channel === 'sms').settings.authToken, { set: true });
  assert.ok(!(await page.content()).includes(token), 'the token is gone from the page once saved');
  assert.deepEqual(answers.filter((a) => a.includes(token)), [], 'no API answer the page read carries the token');
});

test('push through the form: APNs and Web Push keys, refused ones at their fields, then saved with the keys shown only as set and kept', async () => {
  const pushCard = () => page.getByRole('region', { name: 'Push', exact: true });
  const vapid = webPush.generateVAPIDKeys();
  const otherVapid = webPush.generateVAPIDKeys();
  const p8 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const p8Body = p8.split('\n')[1]!; // a line of the key's base64, to look for anywhere it must not be
  await pushCard().getByRole('button', { name: 'Set up the push provider' }).click();
  for (const id of ['push-fcm', 'push-apns', 'push-webpush']) assert.equal(await page.locator(`#${id}`).isChecked(), false, `${id} starts left out`);
  await page.getByRole('button', { name: 'Save push provider' }).click();
  assert.equal(await page.locator('#push-routes-error').innerText(), 'Include at least one of Firebase Cloud Messaging, APNs and Web Push', 'checked before sending');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'push-fcm');

  await page.getByLabel('Include Firebase Cloud Messaging').check();
  assert.equal(await page.locator('#push-routes-error').count(), 0, 'including a service answers it');
  await page.getByLabel('Service account JSON key').fill('not the key file');
  await page.getByLabel('Include Apple Push Notification service').check();
  await page.getByLabel('Team ID').fill('TEAM123456');
  await page.getByLabel('Key ID').fill('KEY1234567');
  await page.getByLabel('.p8 key').fill(p8);
  await page.getByLabel('Bundle ID').fill('com.shop.app');
  await page.getByLabel('Production').check();
  await page.getByLabel('Include Web Push').check();
  await page.getByLabel('VAPID public key').fill(vapid.publicKey);
  await page.getByLabel('VAPID private key').fill(otherVapid.privateKey);
  await page.getByLabel('Subject').fill('mailto:ops@shop.example');
  assert.equal(await page.locator('#push-webpush-private').getAttribute('type'), 'password');
  await page.getByRole('button', { name: 'Save push provider' }).click();
  await page.locator('#push-webpush-private-error').waitFor();
  assert.equal(await page.locator('#push-webpush-private-error').innerText(), 'Is not the private key of this public key');
  assert.equal(await page.locator('#push-fcm-account-error').innerText(), "Must be the service account's JSON key file (it is not JSON)");
  assert.equal(await page.locator('#push-apns-key-error').count(), 0, 'the .p8 key was taken');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'push-fcm-account', 'the first field to fix has the focus');
  await checkAccessibility('push provider form');
  await page.locator('#push-apns-bundle').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await shoot('9h-delivery-push-form');

  // FCM left out after all (its problem goes with it), the matching private key given.
  await page.getByLabel('Include Firebase Cloud Messaging').uncheck();
  assert.equal(await page.locator('#push-fcm-account').count(), 0);
  await page.getByLabel('VAPID private key').fill(vapid.privateKey);
  assert.equal(await page.locator('#push-webpush-private-error').count(), 0);
  await page.getByRole('button', { name: 'Save push provider' }).click();
  await page.getByText('Saved: push messages are delivered by Push services.').waitFor();
  const card = await pushCard().innerText();
  assert.match(card, /Routes\s+APNs and Web Push/);
  assert.match(card, /APNs\s+com\.shop\.app \(production\), team TEAM123456, key KEY1234567: \.p8 key set/);
  assert.match(card, /Web Push\s+mailto:ops@shop\.example: private key set/);
  assert.doesNotMatch(card, /FCM/);
  const stored = () => api('/v1/providers').then((b) => b.providers.find((p: { channel: string }) => p.channel === 'push').settings);
  assert.deepEqual(await stored(), {
    provider: 'push',
    apns: { bundleId: 'com.shop.app', key: { set: true }, keyId: 'KEY1234567', production: true, teamId: 'TEAM123456' },
    webpush: { privateKey: { set: true }, publicKey: vapid.publicKey, subject: 'mailto:ops@shop.example' },
  });
  const html = await page.content();
  assert.ok(!html.includes(vapid.privateKey) && !html.includes(p8Body), 'the keys are gone from the page once saved');
  await checkAccessibility('push provider set');
  await pushCard().evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await shoot('9i-delivery-push-set');

  // Changed with both keys left empty: the server keeps them (without them it would refuse the route).
  await pushCard().getByRole('button', { name: 'Change the push provider' }).click();
  assert.equal(await page.locator('#push-apns').isChecked(), true);
  assert.equal(await page.locator('#push-fcm').isChecked(), false);
  assert.equal(await page.locator('#push-apns-production').isChecked(), true);
  assert.equal(await page.getByLabel('Team ID').inputValue(), 'TEAM123456');
  assert.equal(await page.locator('#push-apns-key').inputValue(), '');
  assert.equal(await page.locator('#push-webpush-private').inputValue(), '');
  assert.equal(await page.locator('#push-webpush-private').getAttribute('placeholder'), 'Stored: leave empty to keep it');
  assert.match(await page.locator('label[for="push-apns-key"]').innerText(), /\.p8 key\s+set/);
  assert.match(await page.locator('label[for="push-webpush-private"]').innerText(), /VAPID private key\s+set/);
  await checkAccessibility('push provider change');
  await page.getByLabel('Subject').fill('https://shop.example/push');
  await page.getByRole('button', { name: 'Save push provider' }).click();
  await pushCard().getByText('https://shop.example/push: private key set').waitFor();
  const after = await stored();
  assert.deepEqual(after.apns.key, { set: true });
  assert.deepEqual(after.webpush, { privateKey: { set: true }, publicKey: vapid.publicKey, subject: 'https://shop.example/push' });
  assert.ok(!(await page.content()).includes(vapid.privateKey));
  assert.deepEqual(answers.filter((a) => a.includes(vapid.privateKey) || a.includes(p8Body)), [], 'no API answer the page read carries a key');
});

test('removing the provider asks first, then puts the webhook back on the outbox', async () => {
  await webhookCard().getByRole('button', { name: 'Remove the webhook provider' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove the webhook provider?' });
  await dialog.waitFor();
  await checkAccessibility('remove provider dialog');
  await shoot('9d-delivery-remove-confirm');
  await dialog.getByRole('button', { name: 'Keep it' }).click();
  assert.match(await webhookCard().innerText(), /Signed webhooks/);

  await webhookCard().getByRole('button', { name: 'Remove the webhook provider' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove provider' }).click();
  await page.getByText('Removed: webhook messages go to the built-in outbox.').waitFor();
  assert.match(await webhookCard().innerText(), /Built-in outbox/);
  assert.equal((await api('/v1/providers')).providers.find((p: { channel: string }) => p.channel === 'webhook').provider, 'outbox');
});

test('the messages page filters on dead letters, which stand out; a retry says when it is next tried', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Messages', exact: true }).click();
  await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
  const rows = page.locator('.messages-table tbody tr');
  await rows.first().waitFor();
  const retry = rows.filter({ hasText: 'rita' });
  assert.deepEqual((await retry.getByRole('cell').allInnerTexts()).slice(5).map((c) => c.replace(/\s+/g, ' ').trim()), [
    'Retrying', 'Signed webhooks 1 attempt next at 3 Dec 2027, 12:30:00', 'Last attempt failed: timeout',
  ]);
  await checkAccessibility('messages with a retry');
  await shoot('9e-messages-retry');

  await page.getByLabel('Status').selectOption('dead');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/status=dead/).catch(() => {}); // the filters may or may not be in the address
  await rows.filter({ hasText: 'dora' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.messages-table tbody tr').length === 1);
  const cells = await rows.first().getByRole('cell').allInnerTexts();
  // Time, user, journey, node, channel, status (and, for an admin, a button to send it again), delivery, reason.
  assert.deepEqual(cells.slice(1).map((c) => c.replace(/\s+/g, ' ').trim()), [
    'dora', 'Abandoned cart recovery v1', 'order-hook', 'Webhook', 'Dead letter Send again', 'Signed webhooks 1 attempt', 'Dead letter: http_503 (after 1 attempt)',
  ]);
  assert.equal(await rows.first().getAttribute('class'), 'dead-letter');
  await checkAccessibility('dead letters');
  await shoot('9f-messages-dead');

});

test('the user page says in words that a message is being retried, and when next', async () => {
  // A receiver that refuses every delivery for now (503: a passing failure, so retried).
  const receiver = createServer((_req, res) => res.writeHead(503).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  after(() => {
    receiver.closeAllConnections();
    receiver.close();
  });
  const port = (receiver.address() as { port: number }).port;
  await call(server!.admin, 'PUT', '/v1/providers/webhook', { provider: 'webhook', secret: `whsec_${Buffer.alloc(32, 7).toString('base64')}`, allowHosts: ['127.0.0.1'] });
  await call(server!.admin, 'POST', '/v1/journeys', {
    id: 'order-sync',
    definition: {
      name: 'Order sync',
      nodes: [
        { id: 'ordered', kind: 'entry', trigger: { type: 'action', event: 'Ordered' } },
        { id: 'crm-hook', kind: 'send', channel: 'webhook', message: { url: `http://127.0.0.1:${port}/orders`, body: '{"order":"{{ Event.order }}"}' } },
        { id: 'done', kind: 'exit' },
      ],
      edges: [{ from: 'ordered', to: 'crm-hook' }, { from: 'crm-hook', to: 'done' }],
    },
  });
  await call(server!.admin, 'POST', '/v1/journeys/order-sync/publish', {});
  await call(server!.write, 'POST', '/v1/events', { userId: 'wes', event: 'Ordered', messageId: 'order-wes', properties: { order: 'A-1' } });
  const tried = await eventually(async () => {
    const { messages } = await api('/v1/messages?userId=wes');
    return messages[0]?.attempts > 0 ? messages[0] : undefined;
  }, 30_000, 'a first attempt refused');
  assert.equal(tried.status, 'pending');
  assert.equal(tried.reason, 'http_503');

  await page.goto(`${server!.url}/users/wes`);
  const pass = page.getByRole('article', { name: 'Order sync' });
  const row = pass.getByRole('row').filter({ hasText: 'crm-hook' });
  await row.getByText(/^Retrying \(attempt \d+, next at /).waitFor();
  const [, outcome, why] = await row.getByRole('cell').allInnerTexts();
  assert.equal(outcome, 'Retrying');
  assert.match(why!, /^Retrying \(attempt \d+, next at \d+ \w+ 20\d\d, \d\d:\d\d:\d\d\): http_503$/);
  await checkAccessibility('user page with a retry');
  await pass.scrollIntoViewIfNeeded();
  await shoot('9g-user-retrying');
  await call(server!.admin, 'DELETE', '/v1/providers/webhook');
  // The refused saves of the forms above (the webhook's short secret, the SMS account SID, push's keys).
  const expected = (p: string) => ['400 PUT /v1/providers/webhook', '400 PUT /v1/providers/sms', '400 PUT /v1/providers/push'].includes(p);
  assert.deepEqual(problems.filter((p) => !expected(p)), [], 'no console errors or failed requests besides the expected ones');
});
