/**
 * Editing a journey on the canvas in a real browser against a real server: a new draft drawn by dragging
 * from the palette and connecting handles, keyboard-only adding, undo and redo, copy and paste, delete,
 * problems showing on the node they concern and going away, the unsaved copy surviving a reload, save; then
 * the API returns exactly the journey drawn, and its layout apart. And a drag across a journey of 100 nodes,
 * timed in the page.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { ROOT } from '../helpers.ts';
import { ensureDashboardBuilt, launchChromium, openPage, serve, type Served, type DashboardPage } from './browser-fixture.ts';

const JOURNEY = 'drawn-by-hand';

let server: Served | undefined;
let browser: Browser | undefined;
let page: Page;
let problems: string[];
let checkAccessibility: DashboardPage['checkAccessibility'];
let shoot: DashboardPage['shoot'];
/** How far the drag moved exit-1, for the saved layout's check. */
let dragged = { x: 0, y: 0 };
const dialogs: string[] = [];

before(async () => {
  ensureDashboardBuilt();
  server = await serve(['examples/abandoned-cart.json']);
  browser = await launchChromium();
  ({ page, problems, checkAccessibility, shoot } = await openPage(browser));
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server!.admin}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: response.status, body: await response.json() };
}


const card = (id: string) => page.locator(`.node-card[data-node-id="${id}"]`);
const flowNode = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
const ids = () => page.locator('.node-card .node-id').allInnerTexts();
const withErrors = () => page.locator('.node-card.has-errors .node-id').allInnerTexts();

/** Waits until the view stops moving (it pans to a node added out of sight), frame by frame, not by the clock. */
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

/** The whole journey in view, as the zoom controls' "fit view" shows it. */
async function fitView(): Promise<void> {
  await page.getByRole('button', { name: 'Fit View' }).click();
  await viewSettled();
}

/** performance.now() (ms since the navigation started) when the first card is on the page. */
async function firstCardAt(): Promise<number> {
  const at = await page.waitForFunction(() => document.querySelector('.react-flow__node .node-card') && performance.now(), undefined, { polling: 'raf', timeout: 20_000 });
  return (await at.jsonValue()) as number;
}

async function centre(locator: Locator): Promise<{ x: number; y: number }> {
  const box = (await locator.boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a branch's handle onto a node's input, the way a person connects them. */
async function connectHandles(from: string, branch: string, to: string): Promise<void> {
  await viewSettled();
  const start = await centre(flowNode(from).locator(`.react-flow__handle.source[data-handleid="${branch}"]`));
  const end = await centre(flowNode(to).locator('.react-flow__handle.target'));
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move(start.x + (end.x - start.x) / 2, start.y + (end.y - start.y) / 2, { steps: 5 });
  await page.mouse.move(end.x, end.y, { steps: 5 });
  await page.mouse.up();
}

/**
 * Where the canvas draws a node, as the slot its layout stores: the translate of its card, less, for a
 * compact card (220 x 64, a delay's), what centres it in its 280 x 120 slot.
 */
async function drawnAt(id: string): Promise<{ x: number; y: number }> {
  const transform = await flowNode(id).evaluate((n) => (n as HTMLElement).style.transform);
  const [, x, y] = /translate\((-?[\d.]+)px, (-?[\d.]+)px\)/.exec(transform)!;
  const compact = await card(id).evaluate((n) => n.classList.contains('node-compact'));
  return compact ? { x: Number(x) - 30, y: Number(y) - 28 } : { x: Number(x), y: Number(y) };
}

test('a new draft opens on the canvas with the palette of every kind but a second entry', async () => {
  await page.goto(server!.dashboard);
  await page.getByLabel('Admin key').fill(server!.admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'New journey' }).first().click();
  await page.getByLabel('Name').fill('Drawn by hand');
  await page.getByLabel('Users enter when they do').fill('Signed Up');
  await page.getByRole('button', { name: 'Create draft' }).click();
  await page.waitForURL(`${server!.url}/journeys/${JOURNEY}`);
  await card('exit').waitFor();
  assert.deepEqual((await ids()).sort(), ['entry', 'exit']);
  // A first load of the page, timed in it: from the start of the navigation to the cards drawn.
  await page.reload();
  const drawnAfter = await firstCardAt();
  console.log(`first load of the canvas: cards drawn ${drawnAfter.toFixed(0)} ms after the navigation started`);
  // Measured here: 440 to 660 ms (the app's 79 kB, then the canvas's 87 kB gzipped, from a local server,
  // on a shared 2-core machine). The bound leaves room for a machine loaded by other tests.
  assert.ok(drawnAfter < 5000, `${drawnAfter} ms`);

  const palette = page.getByRole('region', { name: 'Add a step' });
  // One button per kind from GET /v1/meta/nodes, a send once per channel; the journey has its entry already.
  assert.deepEqual(await palette.locator('h3').allInnerTexts(), ['MESSAGES', 'TIMING', 'BRANCHES', 'PROFILE', 'END']);
  assert.deepEqual(await palette.getByRole('button').allInnerTexts(), ['Push', 'SMS', 'Email', 'WhatsApp', 'Inbox', 'Webhook', 'Delay', 'Wait for event', 'Split', 'A/B split', 'Update profile', 'Exit']);
  await page.getByRole('button', { name: 'No problems' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save draft' }).isDisabled(), true, 'nothing to save yet');
});

test('drag a delay in from the palette: its problems show on it until its handles are connected', async () => {
  const canvas = page.locator('.canvas');
  const box = (await canvas.boundingBox())!;
  await page.getByRole('button', { name: 'Add Delay' }).dragTo(canvas, { targetPosition: { x: box.width - 260, y: 140 } });
  await card('delay-1').waitFor();
  assert.equal(await card('delay-1').locator('.node-summary').innerText(), 'Wait 1 day');
  // The server's checks: the delay leads nowhere and nothing leads to it; once connected into the entry's
  // way, the exit is the one nothing leads to, and the delay still leads nowhere.
  await page.locator('.node-card.has-errors[data-node-id="delay-1"]').waitFor();
  assert.equal(await card('delay-1').locator('.node-problem-count').innerText(), '2');
  await flowNode('delay-1').hover();
  assert.deepEqual((await card('delay-1').locator('.node-problems li').allInnerTexts()).sort(), [
    'node "delay-1" cannot be reached from the entry',
    'node "delay-1" has no way out; connect it to another node or to an exit',
  ]);
  assert.equal(await card('delay-1').locator('.node-problems').isVisible(), true, 'hovering shows them');
  await checkAccessibility('a node with a problem');
  await shoot('6-editor-problem-on-a-node');

  await connectHandles('entry', 'next', 'delay-1');
  await page.locator('.node-card.has-errors[data-node-id="exit"]').waitFor();
  assert.deepEqual((await withErrors()).sort(), ['delay-1', 'exit']);
  assert.equal(await page.getByRole('button', { name: 'Undo' }).getAttribute('title'), 'Undo “Connect entry (Entered) to delay-1” (Ctrl+Z)');

  await connectHandles('delay-1', 'next', 'exit');
  await page.getByRole('button', { name: 'No problems' }).waitFor();
  assert.deepEqual(await withErrors(), []);
  assert.deepEqual(await page.locator('.react-flow__edge').evaluateAll((edges) => edges.map((e) => e.getAttribute('aria-label'))), [
    'Link from entry to delay-1',
    'Link from delay-1 to exit',
  ]);
});

test('keyboard only: select a node with Enter, add below it from the palette, undo and redo with the keys', async () => {
  await flowNode('delay-1').focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'delay-1' }).waitFor(); // the side panel of the selected node
  // Tab goes from card to card, each with a visible focus ring.
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-id')), 'exit');
  assert.match(await flowNode('exit').locator('.node-card').evaluate((n) => getComputedStyle(n).outlineStyle), /solid/);

  // The delay's only way is taken: the A/B split goes into it (delay-1 -> split -> exit), with its B open.
  await page.getByRole('button', { name: 'Add A/B split' }).focus();
  await page.keyboard.press('Enter');
  await card('ab-split-1').waitFor();
  await page.locator('.node-card.has-errors[data-node-id="ab-split-1"]').waitFor();
  assert.deepEqual(await card('ab-split-1').locator('.handle-label').allInnerTexts(), ['B'], 'the open way says which it is');
  // The new node is selected: the next one goes on its open way.
  await page.getByRole('button', { name: 'Add Exit' }).focus();
  await page.keyboard.press('Enter');
  await card('exit-1').waitFor();
  await page.getByRole('button', { name: 'No problems' }).waitFor();

  await page.keyboard.press('Control+z');
  await page.locator('.node-card[data-node-id="exit-1"]').waitFor({ state: 'detached' });
  await page.locator('.node-card.has-errors[data-node-id="ab-split-1"]').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Redo' }).getAttribute('title'), 'Redo “Add Exit” (Ctrl+Shift+Z)');
  await page.keyboard.press('Control+Shift+z');
  await card('exit-1').waitFor();
  await page.getByRole('button', { name: 'No problems' }).waitFor();
  assert.deepEqual(await page.locator('.react-flow__edge-text').allTextContents(), ['A · 50%', 'B · 50%']);
  await shoot('7-editor-drawn');
});

test('copy, paste and delete; a shortcut typed in a field stays the field’s', async () => {
  await fitView();
  await flowNode('delay-1').click();
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await card('delay-2').waitFor();
  assert.equal(await flowNode('delay-2').evaluate((n) => n.classList.contains('selected')), true, 'the pasted copy is selected');
  await page.locator('.node-card.has-errors[data-node-id="delay-2"]').waitFor();
  await page.keyboard.press('Delete');
  await page.locator('.node-card[data-node-id="delay-2"]').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'No problems' }).waitFor();

  // An SMS with nothing to say: the server will not save that, and Save says why.
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Add SMS' }).click();
  await page.locator('.node-card.has-errors[data-node-id="sms-1"]').waitFor();
  await page.getByRole('button', { name: '1 problem' }).click();
  const listed = page.locator('#problems-list .problem-item');
  assert.deepEqual(await listed.allInnerTexts(), ['Cannot save · sms-1\nmissing required field body']);
  await listed.first().click();
  // The focus moves once the canvas has scrolled to the node (a render later): wait for it, never a fixed time.
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-id') === 'sms-1', undefined, { timeout: 10_000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-id')), 'sms-1', 'picking a problem focuses its node');
  assert.equal(await page.getByRole('button', { name: 'Save draft' }).isDisabled(), true);
  assert.equal(await page.locator('.save-state').innerText(), 'Unsaved: fix 1 problem to save');
  await checkAccessibility('the problems list');
  await shoot('8-editor-problems-list');

  // Backspace in a field is the field's: the node stays.
  await page.getByRole('button', { name: /problems?$/ }).click();
  await page.evaluate(() => {
    const field = document.createElement('input');
    field.id = 'scratch';
    field.setAttribute('aria-label', 'scratch');
    document.querySelector('.editor-bar')!.append(field);
  });
  await page.locator('#scratch').focus();
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Control+a');
  assert.equal(await card('sms-1').count(), 1);
  await page.evaluate(() => document.getElementById('scratch')!.remove());

  await flowNode('sms-1').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Backspace');
  await page.locator('.node-card[data-node-id="sms-1"]').waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'No problems' }).waitFor();
});

test('a link is deleted, by click or focus, then undone; a node is dragged, then nudged with the arrows', async () => {
  await fitView();
  // The delay's link down to the split below it: a straight line, clicked in its middle.
  const link = page.locator('.react-flow__edge[aria-label="Link from delay-1 to ab-split-1"] .react-flow__edge-interaction');
  await link.click();
  await page.keyboard.press('Delete');
  await page.locator('.node-card.has-errors[data-node-id="delay-1"]').waitFor();
  assert.equal(await page.locator('.react-flow__edge').count(), 3);
  await page.keyboard.press('Control+z');
  await page.getByRole('button', { name: 'No problems' }).waitFor();
  assert.equal(await page.locator('.react-flow__edge').count(), 4);
  // From the keyboard: a link takes the focus like a card, and Delete removes it.
  await page.locator('.react-flow__edge[aria-label="Link from ab-split-1 (B · 50%) to exit-1"]').focus();
  await page.keyboard.press('Delete');
  await page.locator('.node-card.has-errors[data-node-id="ab-split-1"]').waitFor();
  assert.equal(await page.locator('.react-flow__edge').count(), 3);
  await page.keyboard.press('Control+z');
  await page.getByRole('button', { name: 'No problems' }).waitFor();

  const zoom = await page.evaluate(() => Number(/scale\(([\d.]+)\)/.exec(document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform)![1]));
  const before = await drawnAt('exit-1');
  const from = await centre(flowNode('exit-1'));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  // React Flow counts a drag from its first move (the one past its 1 px threshold): 2 px, then 100, 40 more.
  await page.mouse.move(from.x + 2, from.y + 2);
  await page.mouse.move(from.x + 2 + 50 * zoom, from.y + 2 + 20 * zoom, { steps: 4 });
  await page.mouse.move(from.x + 2 + 100 * zoom, from.y + 2 + 40 * zoom, { steps: 4 });
  await page.mouse.up();
  // The mouse moves in whole screen pixels at a fractional zoom: within a pixel of 100, 40.
  const after = await drawnAt('exit-1');
  dragged = { x: after.x - before.x, y: after.y - before.y };
  assert.ok(Math.abs(dragged.x - 100) <= 1 && Math.abs(dragged.y - 40) <= 1, JSON.stringify(dragged));
  assert.equal(await page.getByRole('button', { name: 'Undo' }).getAttribute('title'), 'Undo “Move exit-1” (Ctrl+Z)');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Shift+ArrowUp');
  assert.deepEqual(await drawnAt('exit-1'), { x: after.x - 10, y: after.y - 50 });
  await page.keyboard.press('Control+z');
  await page.keyboard.press('Control+z');
  assert.deepEqual(await drawnAt('exit-1'), after, 'one undo per nudge');
  await page.keyboard.press('Control+z');
  assert.deepEqual(await drawnAt('exit-1'), before, 'the drag undone in one step');
  await page.keyboard.press('Control+y');
  assert.deepEqual(await drawnAt('exit-1'), after);
});

test('the unsaved copy survives a reload, with a warning before leaving; then Save; the API returns the journey drawn', async () => {
  assert.equal(await page.locator('.save-state').innerText(), 'Unsaved changes');
  const drawn = Object.fromEntries(await Promise.all(['entry', 'exit', 'delay-1', 'ab-split-1', 'exit-1'].map(async (id) => [id, await drawnAt(id)] as const)));
  // The copy is written to storage after a pause in editing, polled here rather than waited for.
  await page.waitForFunction((id) => localStorage.getItem(`waymark:unsaved:${id}`) !== null, JOURNEY);
  await page.reload();
  assert.deepEqual(dialogs, ['beforeunload'], 'leaving with unsaved changes asks first');
  await page.getByText('This browser kept unsaved changes to this journey').waitFor();
  assert.deepEqual((await ids()).sort(), ['entry', 'exit'], 'the server still has the draft it was given');
  await checkAccessibility('the offer to restore');
  await page.getByRole('button', { name: 'Restore them' }).click();
  await card('exit-1').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Undo' }).getAttribute('title'), 'Undo “Restore unsaved changes” (Ctrl+Z)');
  await page.getByRole('button', { name: 'No problems' }).waitFor();

  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByRole('status').filter({ hasText: 'Draft saved.' }).waitFor();
  await page.locator('.save-state').filter({ hasText: 'All changes saved' }).waitFor();
  await page.waitForFunction((id) => localStorage.getItem(`waymark:unsaved:${id}`) === null, JOURNEY);
  await checkAccessibility('the saved journey');
  await shoot('9-editor-saved');

  const saved = await api('GET', `/v1/journeys/${JOURNEY}`);
  assert.equal(saved.status, 200);
  assert.deepEqual(saved.body.draft, {
    name: 'Drawn by hand',
    nodes: [
      { id: 'entry', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'exit', kind: 'exit' },
      { id: 'delay-1', kind: 'delay', duration: '1d' },
      { id: 'ab-split-1', kind: 'abSplit', variants: [{ name: 'A', percent: 50 }, { name: 'B', percent: 50 }] },
      { id: 'exit-1', kind: 'exit' },
    ],
    edges: [
      { from: 'entry', to: 'delay-1' },
      { from: 'delay-1', to: 'ab-split-1' },
      { from: 'ab-split-1', to: 'exit', branch: 'A' },
      { from: 'ab-split-1', to: 'exit-1', branch: 'B' },
    ],
  });
  // The layout apart: where each card was drawn. The split went a row (192) below the delay; the exit on
  // its B half a column (168) right of it and a row down, then was dragged (by 100, 40 within a pixel). The
  // delay is a compact card but its slot is a full one, so the split sits straight below it.
  const layout = saved.body.layout as Record<string, { x: number; y: number }>;
  assert.deepEqual(layout, drawn);
  assert.deepEqual(layout['ab-split-1'], { x: layout['delay-1']!.x, y: layout['delay-1']!.y + 192 });
  assert.deepEqual(layout['exit-1'], { x: layout['ab-split-1']!.x + 168 + dragged.x, y: layout['ab-split-1']!.y + 192 + dragged.y });
  assert.deepEqual(layout['entry'], { x: 0, y: 0 }, 'laid out when the draft had no layout, and never moved');

  const published = await api('POST', `/v1/journeys/${JOURNEY}/publish`);
  assert.equal(published.status, 200, JSON.stringify(published.body));
});

/** Entry, 98 alternating SMS and delays, exit: 100 nodes in a chain, laid out ten to a row. */
function hundredNodes() {
  const nodes: Array<Record<string, unknown>> = [{ id: 'start', kind: 'entry', trigger: { type: 'action', event: 'Big' } }];
  for (let i = 1; i <= 98; i++) nodes.push(i % 2 ? { id: `sms-${i}`, kind: 'send', channel: 'sms', message: { body: `Step ${i}` } } : { id: `wait-${i}`, kind: 'delay', duration: '1h' });
  nodes.push({ id: 'end', kind: 'exit' });
  const edges = nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id }));
  const layout = Object.fromEntries(nodes.map((n, i) => [n.id, { x: (i % 10) * 336, y: Math.floor(i / 10) * 192 }]));
  return { definition: { name: 'A hundred steps', nodes, edges }, layout };
}

test('a journey of 100 nodes stays smooth to drag', async () => {
  const created = await api('POST', '/v1/journeys', { id: 'hundred', ...hundredNodes() });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await page.goto(`${server!.url}/journeys/hundred`);
  const drawnAfter = await firstCardAt();
  console.log(`first load of a 100-node canvas: cards drawn ${drawnAfter.toFixed(0)} ms after the navigation started`);
  // Measured here: 470 to 650 ms. (When each card asked to be measured again on mount, 2.1 to 3.7 s.)
  assert.ok(drawnAfter < 5000, `${drawnAfter} ms`);
  await card('end').waitFor();
  await page.getByRole('button', { name: 'Fit View' }).click();
  await viewSettled();
  assert.equal(await page.locator('.react-flow__node').count(), 100);
  await shoot('10-editor-hundred-nodes');

  // In the page: from each mouse move to the moment the dragged card's position is in the DOM. On the
  // window, capturing, before React Flow's drag listener (which stops the event there); armed once the drag
  // is under way, so the first moves (selecting, the side panel opening) are not counted.
  await page.evaluate(() => {
    const w = window as unknown as { steps: number[]; armed: boolean };
    w.steps = [];
    w.armed = false;
    let start = 0;
    window.addEventListener('mousemove', () => w.armed && (start = performance.now()), { capture: true });
    new MutationObserver(() => {
      if (start === 0) return;
      w.steps.push(performance.now() - start);
      start = 0;
    }).observe(document.querySelector('.react-flow__node[data-id="sms-45"]')!, { attributes: true, attributeFilter: ['style'] });
  });
  const from = await centre(flowNode('sms-45'));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  for (let i = 1; i <= 60; i++) {
    await page.mouse.move(from.x + i * 4, from.y + i * 2);
    if (i === 3) await page.evaluate(() => ((window as unknown as { armed: boolean }).armed = true));
  }
  await page.mouse.up();
  const steps = await page.evaluate(() => (window as unknown as { steps: number[] }).steps);
  const sorted = [...steps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const worst = sorted.at(-1)!;
  console.log(`100-node drag: ${steps.length} moves, median ${median.toFixed(1)} ms, worst ${worst.toFixed(1)} ms from mouse move to the card moved`);
  // Measured on the shared 2-core test machine over seven runs: a median of 4 to 7 ms a move, the worst of
  // 57 moves 15 to 117 ms (see the log line above). The bound is generous so a loaded machine passes.
  assert.ok(steps.length >= 50, `the card followed the mouse (${steps.length} moves seen)`);
  assert.ok(median < 50, `median ${median} ms a move`);
  assert.equal(await page.getByRole('button', { name: 'Undo' }).getAttribute('title'), 'Undo “Move sms-45” (Ctrl+Z)');

  // Tidy up: the chain in one column, a row (192) apart; undone in one step, back to ten to a row.
  await page.getByRole('button', { name: 'Tidy up' }).click();
  assert.deepEqual(await Promise.all(['start', 'sms-1', 'wait-2', 'end'].map(drawnAt)), [
    { x: 0, y: 0 },
    { x: 0, y: 192 },
    { x: 0, y: 384 },
    { x: 0, y: 99 * 192 },
  ]);
  await page.keyboard.press('Control+z');
  assert.deepEqual(await Promise.all(['start', 'sms-1', 'end'].map(drawnAt)), [
    { x: 0, y: 0 },
    { x: 336, y: 0 },
    { x: 9 * 336, y: 9 * 192 },
  ]);
});

test('no console errors or failed requests', () => {
  assert.deepEqual(problems, []);
});
