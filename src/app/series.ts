/**
 * A journey's entries and conversions over time, per local day or hour of the project's time zone, for the
 * dashboard's chart. The store counts per fixed slot of UTC time; the slots are folded into local buckets here.
 */
import { DateTime } from 'luxon';
import { projectTimezoneOf } from '../core/settings.ts';
import type { Store } from '../store/store.ts';
import { NotFoundError } from './journeys.ts';
import type { SeriesView } from './views.ts';

export type Bucket = 'day' | 'hour';

export const MAX_SERIES_DAYS = 90;
/** Hourly buckets cover at most this many days (24 * 14 = 336 buckets). */
export const MAX_HOURLY_DAYS = 14;

/**
 * The store's slot: every zone's offset from UTC is a whole number of quarter hours today, so every local
 * midnight and every local hour starts on one. A zone whose boundaries do not (a historical local mean time)
 * gets minute slots instead.
 */
const SLOT_MS = 15 * 60_000;
const FINE_SLOT_MS = 60_000;

/** The series of the last `days` local days (bucket 'day') or `days * 24` local hours, ending with the current one. */
export async function journeySeries(store: Store, journeyId: string, query: { days: number; bucket: Bucket; now: number }): Promise<SeriesView> {
  if (!(await store.getJourney(journeyId))) throw new NotFoundError(`no journey "${journeyId}"`);
  const timezone = projectTimezoneOf(await store.getSettings());
  const starts = bucketStarts(query.now, query.days, query.bucket, timezone);
  const from = starts[0]!;
  const to = starts.at(-1)!;
  const slotMs = starts.every((s) => (s - from) % SLOT_MS === 0) ? SLOT_MS : FINE_SLOT_MS;
  const slots = await store.journeySeries(journeyId, { from, to, slotMs });

  const buckets = starts.slice(0, -1).map((start) => ({ start: iso(start, timezone), entered: 0, goal: 0, control: 0, controlGoal: 0 }));
  for (const slot of slots) {
    const b = buckets[indexOf(starts, slot.at)];
    if (!b) continue; // outside the window: a store answering more than asked for is not a reason to fail
    b.entered += slot.entered;
    b.goal += slot.goal;
    b.control += slot.control;
    b.controlGoal += slot.controlGoal;
  }
  return { journeyId, timezone, bucket: query.bucket, from: iso(from, timezone), to: iso(to, timezone), buckets };
}

/**
 * The buckets' starts in epoch ms, and after them the end of the last one: `days` local days ending with
 * today's, or `days * 24` local hours ending with the current one. Each is found from the next one's start
 * (the local start of the day or hour just before it), so days of 23 or 25 hours, and hours repeated or skipped
 * when the clocks change, come out as the local clock has them.
 */
export function bucketStarts(now: number, days: number, bucket: Bucket, timezone: string): number[] {
  const unit = bucket === 'day' ? 'day' : 'hour';
  const count = bucket === 'day' ? days : days * 24;
  const current = DateTime.fromMillis(now, { zone: timezone }).startOf(unit);
  const starts = [current.toMillis(), current.plus({ [unit]: 1 }).startOf(unit).toMillis()];
  while (starts.length < count + 1) starts.unshift(DateTime.fromMillis(starts[0]! - 1, { zone: timezone }).startOf(unit).toMillis());
  return starts;
}

/** The bucket holding `at`: the last start at or before it (binary search; -1 before the first). */
function indexOf(starts: number[], at: number): number {
  if (at >= starts.at(-1)!) return -1;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return starts[lo]! <= at ? lo : -1;
}

function iso(ms: number, timezone: string): string {
  return DateTime.fromMillis(ms, { zone: timezone }).toISO()!;
}
