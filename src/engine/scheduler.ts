/**
 * Scheduled entries: at each scheduled moment, the profiles are scanned in pages (never all in memory) and
 * each user who matches enters through the ordinary ingest path as an internal ENTER_EVENT. Its message id
 * names the journey, the moment and the user, so a run repeated after a crash enters nobody twice; the run's
 * cursor is kept in the store under a lease, so a run cut short resumes where it stopped, in any process.
 *
 * Segment trigger: at each moment of its schedule, everyone matching the segment at that moment enters.
 * Date trigger: every day at midnight in the journey's zone, users whose moment (from the date property) falls
 * within the coming day enter, waiting as pending instances until their moment.
 */
import { dateMoment, nextAnniversary, zoneFor } from '../core/local-time.ts';
import { latestRun, nextRun, type Schedule } from '../core/schedule.ts';
import { compileCondition, eventNeeds, type EventRange, type UserEvent } from '../core/segment.ts';
import { compileTraitsDecide } from '../core/segment-traits.ts';
import type { JourneyEvent } from '../core/instance.ts';
import { parseDuration } from '../core/duration.ts';
import { ENTER_EVENT, type CompiledJourney } from '../core/validate.ts';
import type { Profile, Store } from '../store/store.ts';

const DAY_MS = 86_400_000;
/** Profiles per page: one page's events are loaded at once. */
const PAGE = 1_000;
/** A run's lease: another process takes over a run whose owner stopped renewing it this long ago. */
export const RUN_LEASE_MS = 60_000;

export interface ScheduledJourney {
  journeyId: string;
  journey: CompiledJourney;
  /** The zone its schedule runs in: the journey's, else the project's, else UTC. */
  zone: string;
  /** When the running version was published: no run from before it is made up for. */
  publishedAt: number;
}

export interface RunProgress {
  journeyId: string;
  runAt: number;
  scanned: number;
  /** Entry events accepted: users who matched and had not been entered by an earlier attempt at the run. */
  entered: number;
}

/** The daily scan of a date trigger. */
const MIDNIGHT: Schedule = { type: 'recurring', time: '00:00' };

export function scheduleOf(journey: CompiledJourney): Schedule | null {
  const trigger = journey.entry.trigger;
  if (trigger.type === 'segment') return trigger.schedule;
  if (trigger.type === 'date') return MIDNIGHT;
  return null;
}

/** The run due now for this journey, if any: the latest scheduled moment, not before publishing, inside the entry timeline. */
export function dueRun(s: ScheduledJourney, now: number): number | null {
  const schedule = scheduleOf(s.journey);
  if (!schedule) return null;
  const runAt = latestRun(schedule, s.zone, now);
  if (runAt === null) return null;
  // A date scan looks a day ahead, so the scan of the day a journey is published still counts.
  const reach = s.journey.entry.trigger.type === 'date' ? DAY_MS : 0;
  if (runAt + reach <= s.publishedAt) return null;
  if (s.journey.endAt !== null && runAt >= s.journey.endAt) return null;
  // A run at startAt itself counts (the timeline includes its start); a date scan counts if its day reaches it.
  if (s.journey.startAt !== null && (reach === 0 ? runAt < s.journey.startAt : runAt + reach <= s.journey.startAt)) return null;
  return runAt;
}

export function nextRunAt(s: ScheduledJourney, now: number): number | null {
  const schedule = scheduleOf(s.journey);
  if (!schedule) return null;
  const at = nextRun(schedule, s.zone, now);
  return at === null || (s.journey.endAt !== null && at >= s.journey.endAt) ? null : at;
}

/**
 * Carries out one run: claims it (null when it is done already or another process holds it), then scans
 * from its saved cursor, entering matches page by page through `enter`.
 */
export async function carryOutRun(
  store: Store,
  s: ScheduledJourney,
  runAt: number,
  clock: { now(): number },
  enter: (events: JourneyEvent[]) => Promise<{ accepted: number }>,
  onProgress?: (p: RunProgress) => void,
  /** Between pages: lets a server answer requests during a long run (the embedded store never waits on I/O). */
  betweenPages: () => Promise<void> = () => Promise.resolve(),
): Promise<RunProgress | null> {
  const claim = await store.claimRun(s.journeyId, runAt, clock.now(), RUN_LEASE_MS);
  if (!claim) return null;
  const match = matcher(s, runAt);
  const progress: RunProgress = { journeyId: s.journeyId, runAt, scanned: 0, entered: 0 };
  let cursor = claim.cursor;
  for (;;) {
    const profiles = await store.scanProfiles(cursor, PAGE);
    if (profiles.length === 0) break;
    // Only the users whose traits leave the segment undecided need their events read.
    const undecided = match.events ? profiles.filter(match.events.needed) : [];
    const events = match.events && undecided.length > 0 ? groupByUser(await store.eventsOfUsers(undecided.map((p) => p.userId), match.events.ranges)) : new Map<string, UserEvent[]>();
    const entries: JourneyEvent[] = [];
    for (const profile of profiles) {
      const entry = match.entryFor(profile, events.get(profile.userId) ?? []);
      if (entry) entries.push(entry);
    }
    // Entries already made by an earlier attempt at this run are duplicates, and not counted again.
    if (entries.length > 0) progress.entered += (await enter(entries)).accepted;
    cursor = profiles[profiles.length - 1]!.userId;
    progress.scanned += profiles.length;
    await store.saveRunCursor(s.journeyId, runAt, cursor, clock.now(), RUN_LEASE_MS);
    onProgress?.(progress);
    await betweenPages();
  }
  await store.finishRun(s.journeyId, runAt, clock.now());
  return progress;
}

interface Matcher {
  /** The events to read, and of whom: the users whose events could change the answer (the others get none). */
  events: { ranges: EventRange[]; needed(profile: Profile): boolean } | null;
  entryFor(profile: Profile, events: UserEvent[]): JourneyEvent | null;
}

function matcher(s: ScheduledJourney, runAt: number): Matcher {
  const trigger = s.journey.entry.trigger;
  const enterEvent = (userId: string, moment: number, properties: Record<string, unknown>): JourneyEvent => ({
    messageId: `${ENTER_EVENT}:${s.journeyId}:${moment}:${userId}`,
    userId,
    name: ENTER_EVENT,
    timestamp: runAt,
    properties: { journeyId: s.journeyId, runAt, at: moment, ...properties },
  });
  switch (trigger.type) {
    case 'segment': {
      const holds = compileCondition(trigger.segment);
      const needs = eventNeeds(trigger.segment, runAt);
      const traitsDecide = compileTraitsDecide(trigger.segment);
      return {
        events: needs.ranges.length > 0 ? { ranges: needs.ranges, needed: (profile) => traitsDecide(profile.traits) === undefined } : null,
        entryFor: (profile, events) => (holds({ now: runAt, traits: profile.traits, events }) ? enterEvent(profile.userId, runAt, {}) : null),
      };
    }
    case 'date': {
      const beforeMs = trigger.before ? parseDuration(trigger.before) : 0;
      const afterMs = trigger.after ? parseDuration(trigger.after) : 0;
      // Moments before publishing or the entry timeline's start are not made up for.
      const from = Math.max(runAt, s.publishedAt, s.journey.startAt ?? -Infinity);
      const until = Math.min(runAt + DAY_MS, s.journey.endAt ?? Infinity);
      return {
        events: null,
        entryFor: (profile) => {
          const value = profile.traits[trigger.property];
          const zone = zoneFor(profile.traits, trigger.timezone ?? 'user', s.zone);
          const moment = trigger.annual
            ? annualMoment(value, zone, from, beforeMs, afterMs, trigger.time)
            : dateMoment(value, zone, { beforeMs, afterMs, ...(trigger.time ? { time: trigger.time } : {}) });
          if (moment === null || moment < from || moment >= until) return null;
          return enterEvent(profile.userId, moment, { [trigger.property]: value });
        },
      };
    }
    default:
      throw new Error(`journey ${s.journeyId} has no scheduled entry`);
  }
}

/** The next anniversary moment at or after `from`, offset by whole days before or after the day itself. */
function annualMoment(value: unknown, zone: string, from: number, beforeMs: number, afterMs: number, time: string | undefined): number | null {
  const day = nextAnniversary(value, zone, from + beforeMs - afterMs - DAY_MS, undefined);
  if (day === null) return null;
  const moment = dateMoment(day, zone, { beforeMs, afterMs, ...(time ? { time } : {}) });
  if (moment === null) return null;
  if (moment >= from) return moment;
  const nextYear = nextAnniversary(value, zone, day + DAY_MS, undefined);
  return nextYear === null ? null : dateMoment(nextYear, zone, { beforeMs, afterMs, ...(time ? { time } : {}) });
}

function groupByUser(events: ReadonlyArray<UserEvent & { userId: string }>): Map<string, UserEvent[]> {
  const byUser = new Map<string, UserEvent[]>();
  for (const e of events) {
    const list = byUser.get(e.userId);
    if (list) list.push(e);
    else byUser.set(e.userId, [e]);
  }
  return byUser;
}
