/** Where the canvas first looks: the whole journey when it fits at a legible zoom, else its top, centred. */

export interface Size {
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Below this the cards' text is too small to read; above 1 they look blown up. */
export const MIN_READABLE_ZOOM = 0.75;
const PADDING = 40;

export function initialViewport(points: Array<{ x: number; y: number }>, card: Size, frame: Size): Viewport {
  if (points.length === 0) return { x: PADDING, y: PADDING, zoom: 1 };
  const minX = Math.min(...points.map((p) => p.x));
  const minY = Math.min(...points.map((p) => p.y));
  const width = Math.max(...points.map((p) => p.x)) + card.width - minX;
  const height = Math.max(...points.map((p) => p.y)) + card.height - minY;
  const fit = Math.min((frame.width - 2 * PADDING) / width, (frame.height - 2 * PADDING) / height);
  const zoom = Math.max(MIN_READABLE_ZOOM, Math.min(1, fit));
  const x = (frame.width - width * zoom) / 2 - minX * zoom;
  // When it all fits, centre it vertically too; when not, start at the trigger.
  const y = height * zoom + 2 * PADDING <= frame.height ? (frame.height - height * zoom) / 2 - minY * zoom : PADDING - minY * zoom;
  return { x: Math.round(x), y: Math.round(y), zoom: Math.round(zoom * 1000) / 1000 };
}
