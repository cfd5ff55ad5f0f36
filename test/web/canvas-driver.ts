/**
 * Driving the canvas as a person does, for the browser tests: wait for the view to settle, read its pan and
 * zoom, pan by dragging the background, drop a kind from the palette onto a slot, connect two handles.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

export type CanvasDriver = ReturnType<typeof driveCanvas>;

export function driveCanvas(page: Page) {
  const flowNode = (id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);
  const card = (id: string) => page.locator(`.node-card[data-node-id="${id}"]`);

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

  async function centre(locator: Locator): Promise<{ x: number; y: number }> {
    const box = (await locator.boundingBox())!;
    return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  }

  /** The canvas's pan and zoom, and its box on the page. */
  async function view(): Promise<{ left: number; top: number; width: number; height: number; x: number; y: number; zoom: number }> {
    await viewSettled();
    const box = (await page.locator('.canvas').boundingBox())!;
    const transform = await page.locator('.react-flow__viewport').evaluate((n) => (n as HTMLElement).style.transform);
    const [, x, y, zoom] = /translate\((-?[\d.]+)px, (-?[\d.]+)px\) scale\(([\d.]+)\)/.exec(transform)!;
    return { left: box.x, top: box.y, width: box.width, height: box.height, x: Number(x), y: Number(y), zoom: Number(zoom) };
  }

  /** Where a point of the journey's plane is on the page now. */
  async function onPage(p: { x: number; y: number }): Promise<{ x: number; y: number }> {
    const v = await view();
    return { x: v.left + v.x + p.x * v.zoom, y: v.top + v.y + p.y * v.zoom };
  }

  /** A point of the canvas with nothing on it but the background, to grab it by. */
  async function emptySpot(): Promise<{ x: number; y: number }> {
    const spot = await page.evaluate(() => {
      const box = document.querySelector('.canvas')!.getBoundingClientRect();
      for (let y = box.top + 20; y < box.bottom - 20; y += 20) {
        for (let x = box.left + 60; x < box.right - 20; x += 20) {
          if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x, y };
        }
      }
      return null;
    });
    assert.ok(spot, 'some of the canvas is empty');
    return spot;
  }

  /** Pans by dragging the background, as a person does. */
  async function panBy(dx: number, dy: number): Promise<void> {
    const from = await emptySpot();
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + dx / 2, from.y + dy / 2, { steps: 4 });
    await page.mouse.move(from.x + dx, from.y + dy, { steps: 4 });
    await page.mouse.up();
    await viewSettled();
  }

  /** Drags a kind from the palette and drops it so its card takes the slot at `slot` (its top-left corner). */
  async function dropFromPalette(item: string, slot: { x: number; y: number }, id: string): Promise<void> {
    const v = await view();
    // A card is dropped centred on the pointer; its slot is 280 x 120.
    const target = { x: v.x + (slot.x + 140) * v.zoom, y: v.y + (slot.y + 60) * v.zoom };
    await page.getByRole('button', { name: `Add ${item}` }).dragTo(page.locator('.canvas'), { targetPosition: target });
    await card(id).waitFor();
  }

  /**
   * Drags a branch's handle onto a node's input, the way a person connects them. On a loaded machine a drag
   * can end before React Flow has taken its start (the edge never comes): then the drag is made again from
   * where the handles are now, as a person would, at most three times.
   */
  async function connectHandles(from: string, branch: string, to: string): Promise<void> {
    const edge = page.locator(`.react-flow__edge[aria-label^="Link from ${from}"][aria-label$=" to ${to}"]`);
    for (let attempt = 1; ; attempt++) {
      await viewSettled();
      const start = await centre(flowNode(from).locator(`.react-flow__handle.source[data-handleid="${branch}"]`));
      const end = await centre(flowNode(to).locator('.react-flow__handle.target'));
      await page.mouse.move(start.x, start.y);
      await page.mouse.down();
      await page.mouse.move(start.x + (end.x - start.x) / 2, start.y + (end.y - start.y) / 2, { steps: 5 });
      await page.mouse.move(end.x, end.y, { steps: 5 });
      await page.mouse.up();
      const drawn = await edge.waitFor({ timeout: attempt < 3 ? 10_000 : 30_000 }).then(() => true, (error) => (attempt < 3 ? false : Promise.reject(error)));
      if (drawn) return;
    }
  }

  return { viewSettled, centre, view, onPage, emptySpot, panBy, dropFromPalette, connectHandles };
}
