/**
 * The conversions-over-time chart's arithmetic: the scale of the counts axis, where each bar goes, the
 * buckets' labels, and the sentence that describes the chart to a screen reader. Pure, for tests.
 */

export interface BucketLike {
  /** ISO 8601 with the project zone's offset, as GET /v1/journeys/:id/series gives it. */
  start: string;
  entered: number;
  goal: number;
  control: number;
  controlGoal: number;
}

export interface Scale {
  /** The axis's top: a whole multiple of `step` at or above the largest count. */
  top: number;
  step: number;
  ticks: number[];
}

/** About four whole-number steps from 0 to at least `max` (step 1, 2 or 5 times a power of ten). */
export function scaleOf(max: number): Scale {
  if (!(max > 0)) return { top: 1, step: 1, ticks: [0, 1] };
  const raw = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!);
  const top = step * Math.ceil(max / step);
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  return { top, step, ticks };
}

export interface Frame {
  width: number;
  height: number;
  /** Room for the axis labels: left of the bars, and under them. */
  left: number;
  bottom: number;
  top: number;
}

export interface BarPair {
  /** Left edge of the bucket's pair of bars, and one bar's width. */
  x: number;
  barWidth: number;
  /** Centre of the bucket, for its label. */
  centre: number;
  entered: { y: number; height: number };
  goal: { y: number; height: number };
}

/** Where each bucket's two bars go (entered, then converted, side by side), in SVG units. */
export function barsOf(buckets: readonly BucketLike[], scale: Scale, frame: Frame): BarPair[] {
  const plotWidth = frame.width - frame.left;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const slot = buckets.length === 0 ? plotWidth : plotWidth / buckets.length;
  const barWidth = Math.max(1, Math.min(18, slot * 0.34));
  const baseline = frame.height - frame.bottom;
  const bar = (n: number) => {
    const height = (Math.max(0, n) / scale.top) * plotHeight;
    return { y: round(baseline - height), height: round(height) };
  };
  return buckets.map((b, i) => {
    const centre = frame.left + slot * i + slot / 2;
    return { x: round(centre - barWidth - 1), barWidth: round(barWidth), centre: round(centre), entered: bar(b.entered), goal: bar(b.goal) };
  });
}

/** The y of a count on the axis. */
export function yOf(count: number, scale: Scale, frame: Frame): number {
  return round(frame.height - frame.bottom - (count / scale.top) * (frame.height - frame.top - frame.bottom));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "Dec 3" for a day bucket, "14:00" for an hour bucket: read from the ISO text itself, which is already in
 * the project's zone (a Date would move it into the browser's).
 */
export function bucketLabel(start: string, bucket: 'day' | 'hour'): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(start);
  if (!match) return start;
  if (bucket === 'hour') return `${match[4]}:${match[5]}`;
  return `${MONTHS[Number(match[2]) - 1] ?? match[2]} ${Number(match[3])}`;
}

/** Which labels fit under the axis: every one when few, else every n-th counting back from the newest. */
export function labelled(count: number, most = 8): Set<number> {
  const every = Math.max(1, Math.ceil(count / most));
  const shown = new Set<number>();
  for (let i = count - 1; i >= 0; i -= every) shown.add(i);
  return shown;
}

/**
 * The chart in a sentence: "Last 14 days: 10 entered, 7 converted. Control group: 10 held out, 2 converted.
 * Most entries on Dec 3 (10)." The table under the chart has every bucket.
 */
export function seriesSummary(buckets: readonly BucketLike[], bucket: 'day' | 'hour'): string {
  const sum = (key: keyof Omit<BucketLike, 'start'>) => buckets.reduce((n, b) => n + b[key], 0);
  const span = bucket === 'day' ? plural(buckets.length, 'day') : plural(buckets.length, 'hour');
  const entered = sum('entered');
  const parts = [`Last ${span}: ${entered} entered, ${sum('goal')} converted.`];
  const control = sum('control');
  const controlGoal = sum('controlGoal');
  if (control > 0 || controlGoal > 0) parts.push(`Control group: ${control} held out, ${controlGoal} converted.`);
  if (entered > 0) {
    const busiest = buckets.reduce((best, b) => (b.entered > best.entered ? b : best));
    parts.push(`Most entries ${bucket === 'day' ? 'on' : 'at'} ${bucketLabel(busiest.start, bucket)} (${busiest.entered}).`);
  } else {
    parts.push('Nobody entered in this period.');
  }
  return parts.join(' ');
}

function plural(n: number, word: string): string {
  return n === 1 ? `${word}` : `${n} ${word}s`;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
