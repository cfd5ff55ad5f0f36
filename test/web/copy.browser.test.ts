/**
 * The copy assistant in a real browser against a real server, with a fake chat-completions server on
 * loopback as the model: the composer says how to set a model while none is set; one set in Settings (its
 * key then only said to be set); "Suggest" lists the variants that passed the checks (one fixed in the repair
 * round, one dropped with its reason), each previewed for a real user; "Use" fills the fields; two chosen
 * become an A/B split on the canvas, saved as a split whose branches each hold a send rejoining what followed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { fakeModel, type FakeModel } from '../copy/fake-model.ts';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type DashboardPage, type Served } from './browser-fixture.ts';

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
let shoot: DashboardPage['shoot'];
let model: FakeModel;
const KEY = 'sk-browser-test';
const answers: string[] = [];

before(async () => {
  ensureDashboardBuilt();
  server = await serve(['examples/abandoned-cart.json']);
  model = await fakeModel({ key: KEY, closeAfter: false });
  const post = (path: string, body: unknown) =>
    fetch(`${server!.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${server!.write}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal((await post('/v1/profiles', { userId: 'ada', traits: { name: 'Ada', email: 'ada@example.com' } })).status, 200);
  assert.equal((await post('/v1/events', { userId: 'ada', event: 'Added to Cart', properties: { productName: 'Lamp' } })).status, 200);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
  page.on('response', async (r) => {
    if (new URL(r.url()).pathname.startsWith('/v1/')) answers.push(await r.text().catch(() => ''));
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await model?.close();
});

const panel = () => page.getByRole('complementary', { name: 'push-free-shipping' });

test('with no model set, the composer says where to set one', async () => {
  await page.goto(server!.dashboard);
  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Abandoned cart recovery' }).click();
  await page.locator('.node-card[data-node-id="push-free-shipping"]').dispatchEvent('click');
  await panel().getByText('No language model is set').waitFor();
  await panel().getByRole('link', { name: 'Settings → Copy assistant' }).waitFor();
});

test('a model is set in Settings; its key is then only said to be set', async () => {
  await page.goto(`${server!.url}/settings`);
  const section = page.getByRole('region', { name: 'Copy assistant' });
  await section.getByText('Nothing is set: the assistant is off.').waitFor();
  await section.getByLabel('Base URL').fill(model.baseUrl);
  await section.getByLabel('Model').fill('browser-model');
  await section.getByLabel(/API key/).fill(KEY);
  await section.getByRole('button', { name: 'Save the model' }).click();
  await section.getByText('Saved.').waitFor();
  await section.getByText('(set: leave empty to keep it)').waitFor();
  assert.equal(await section.getByLabel(/API key/).inputValue(), '');
  await checkAccessibility('copy assistant settings');
});

test('Suggest lists checked variants previewed for a user; Use fills the fields; two become an A/B split', async () => {
  const good1 = { title: 'Hi {{ Profile.Name | default: "there" }}!', body: 'Your {{ Event.productName | default: "item" }} is waiting.' };
  const good2 = { title: 'Still there?', body: 'Free shipping today only.' };
  const fixable = { title: 'Psst {{ Profile.nickname }}', body: 'Come back.' };
  const tooLong = { title: `Hello ${'o'.repeat(60)}`, body: 'x' };
  model.script(
    { content: JSON.stringify({ variants: [good1, good2, fixable, tooLong] }) },
    { content: JSON.stringify({ variants: [{ title: 'Psst {{ Profile.Name | default: "you" }}', body: 'Come back.' }, tooLong] }) },
  );
  await page.goto(`${server!.url}/journeys/abandoned-cart`);
  await page.locator('.node-card[data-node-id="push-free-shipping"]').dispatchEvent('click');
  await panel().getByLabel('For user').fill('ada');
  await panel().getByLabel('For user').press('Enter');
  const assistant = panel().getByRole('region', { name: 'Copy assistant' });
  await assistant.getByLabel('Tone').selectOption('playful');
  await assistant.getByLabel('Variants').fill('4');
  await assistant.getByRole('button', { name: 'Suggest' }).click();
  const items = assistant.locator('.copy-variant');
  await items.nth(2).waitFor();
  assert.equal(await items.count(), 3);
  // Each rendered for Ada: her name and her latest cart's product.
  await items.nth(0).getByText('Hi Ada!').waitFor();
  await items.nth(0).getByText('Your Lamp is waiting.').waitFor();
  await items.nth(2).getByText('Psst Ada').waitFor();
  await items.nth(2).getByText('fixed once').waitFor();
  await assistant.getByText('1 dropped by the checks').click();
  await assistant.getByText('title: is 66 characters once rendered; at most 50').waitFor();
  const asked = model.received[0]!.body;
  assert.equal(asked.model, 'browser-model');
  assert.match(asked.messages[1]!.content, /Tone: playful\.[\s\S]*Write 4 distinct variants|Write 4 distinct variants[\s\S]*Tone: playful\./);
  assert.match(asked.messages[1]!.content, /The journey's goal: the user does "Charged"\./);

  await assistant.getByRole('button', { name: 'Use variant 2' }).click();
  await panel().getByText('Free shipping today only.').first().waitFor();

  await items.nth(0).getByLabel('A/B').check();
  await items.nth(1).getByLabel('A/B').check();
  await checkAccessibility('copy assistant variants');
  await shoot('copy-1-variants');
  await assistant.getByRole('button', { name: 'Make an A/B split of 2' }).click();
  await page.locator('.node-card[data-node-id="ab-split-1"]').waitFor();
  await page.locator('.node-card[data-node-id="push-1"]').waitFor();
  await shoot('copy-2-ab-split');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByRole('status').filter({ hasText: 'All changes saved' }).waitFor();

  const journey = (await (await fetch(`${server!.url}/v1/journeys/abandoned-cart`, { headers: { authorization: `Bearer ${server!.admin}` } })).json()) as {
    draft: { nodes: Array<{ id: string; kind: string; message?: unknown; variants?: unknown }>; edges: Array<{ from: string; to: string; branch?: string }> };
  };
  const node = (id: string) => journey.draft.nodes.find((n) => n.id === id);
  assert.deepEqual(node('ab-split-1')?.variants, [{ name: 'A', percent: 50 }, { name: 'B', percent: 50 }]);
  assert.deepEqual(node('push-free-shipping')?.message, good1);
  assert.deepEqual(node('push-1')?.message, good2);
  const around = journey.draft.edges.filter((e) => ['ab-split-1', 'push-free-shipping', 'push-1'].includes(e.from) || e.to === 'ab-split-1');
  assert.deepEqual(around, [
    { from: 'cart-abandoned', to: 'ab-split-1' },
    { from: 'ab-split-1', to: 'push-free-shipping', branch: 'A' },
    { from: 'ab-split-1', to: 'push-1', branch: 'B' },
    { from: 'push-free-shipping', to: 'wait-2h-before-sms' },
    { from: 'push-1', to: 'wait-2h-before-sms' },
  ]);
});

test('no console errors or failed requests, and no answer held the key', () => {
  assert.deepEqual(problems, []);
  assert.ok(!answers.some((a) => a.includes(KEY)));
});
