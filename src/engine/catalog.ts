/**
 * The journeys the engine runs, compiled once and looked up synchronously inside units of work.
 * Holds every published version, since users in flight stay on the version they entered.
 */
import type { JourneyEvent } from '../core/instance.ts';
import { ENTER_EVENT, compileJourney, type CompiledJourney } from '../core/validate.ts';
import type { CapContext } from '../core/interpreter.ts';
import { specOf } from '../core/nodes/index.ts';
import { earlierSince, eventNeeds, usesEvents, type Condition } from '../core/segment.ts';
import type { JourneyStatus, Lookback, Store, UserContextSpec } from '../store/store.ts';
import { scheduleOf, type ScheduledJourney } from './scheduler.ts';

export interface CatalogEntry {
  journeyId: string;
  version: number;
  journey: CompiledJourney;
  /** Event names this version reacts to for users already inside (goals, the inaction's negative event, waits). */
  watches: Set<string>;
}

export class Catalog {
  private versions = new Map<string, CatalogEntry>();
  private startsOn = new Map<string, CatalogEntry[]>();
  /** Split conditions that read event history, in every version (users in flight may be on any). */
  private historyConditions: Condition[] = [];
  private scheduledJourneys: ScheduledJourney[] = [];
  /** Running journeys started when a user reaches a node of another: by "journeyId\u0000nodeId". */
  private triggers = new Map<string, CatalogEntry[]>();
  private readsOutcomes = false;
  private lookbackSpec: Lookback = { startsJourney: () => false, names: new Set() };

  static async load(store: Store, projectTimezone?: string): Promise<Catalog> {
    const catalog = new Catalog();
    await catalog.refresh(store, projectTimezone);
    return catalog;
  }

  /** Re-reads the journeys; `projectTimezone` is where journeys that name no zone run their schedules. */
  async refresh(store: Store, projectTimezone = 'UTC'): Promise<void> {
    const [journeys, versions] = await Promise.all([store.listJourneys(), store.listVersions()]);
    const next = new Map<string, CatalogEntry>();
    for (const v of versions) {
      const key = `${v.journeyId}@${v.version}`;
      const known = this.versions.get(key);
      if (known) {
        next.set(key, known);
        continue;
      }
      const compiled = compileJourney(v.definition);
      if (!compiled.ok) throw new Error(`stored journey ${key} no longer validates: ${compiled.problems.map((p) => `${p.path} ${p.message}`).join('; ')}`);
      next.set(key, { journeyId: v.journeyId, version: v.version, journey: compiled.journey, watches: watchedEvents(compiled.journey) });
    }
    // Every version may have users in flight; only each running journey's newest takes new entries.
    this.versions = next;
    this.historyConditions = [...next.values()].flatMap((e) => historyConditions(e.journey));
    this.readsOutcomes = [...next.values()].some((e) => e.journey.readsOutcomes);
    const publishedAt = new Map(versions.map((v) => [`${v.journeyId}@${v.version}`, v.publishedAt]));
    const startsOn = new Map<string, CatalogEntry[]>();
    const triggers = new Map<string, CatalogEntry[]>();
    const scheduled: ScheduledJourney[] = [];
    const add = (map: Map<string, CatalogEntry[]>, key: string, entry: CatalogEntry) => map.set(key, [...(map.get(key) ?? []), entry]);
    for (const j of journeys) {
      if (!acceptsEntries(j.status) || j.version === null) continue;
      const key = `${j.id}@${j.version}`;
      const entry = next.get(key)!;
      const journey = entry.journey;
      add(startsOn, startKey(journey.entry.event, j.id), entry);
      const trigger = journey.entry.trigger;
      if (trigger.type === 'journey') add(triggers, `${trigger.journeyId}\u0000${trigger.nodeId}`, entry);
      if (scheduleOf(journey)) scheduled.push({ journeyId: j.id, journey, zone: journey.timezone ?? projectTimezone, publishedAt: publishedAt.get(key)! });
    }
    this.startsOn = startsOn;
    this.triggers = triggers;
    this.scheduledJourneys = scheduled;
    const names = new Set([...startsOn.values()].flat().flatMap((e) => [...e.watches]));
    this.lookbackSpec = { startsJourney: (event) => startsOn.has(eventKey(event)), names };
  }

  /** What the store must load so journeys started by a batch can see events that overtook their entry event. */
  lookback(): Lookback {
    return this.lookbackSpec;
  }

  /**
   * What a unit of work at `now` must load per user: the event history split conditions ask about, and the
   * messages recent enough to count against the longest frequency cap.
   */
  contextSpec(now: number, caps: CapContext['rules']): UserContextSpec {
    let history: UserContextSpec['history'] = null;
    for (const condition of this.historyConditions) {
      const needs = eventNeeds(condition, now);
      if (needs.names.length === 0) continue;
      const names: ReadonlySet<string> = new Set([...(history?.names ?? []), ...needs.names]);
      const since: number | null = history === null ? needs.since : earlierSince(history.since, needs.since);
      history = { names, since };
    }
    const longest = caps.reduce((max, rule) => Math.max(max, rule.perMs), 0);
    return { history, sendsSince: longest > 0 ? now - longest : null, outcomes: this.readsOutcomes };
  }

  /** Running journeys that start when a user reaches `nodeId` of `journeyId`. */
  triggeredBy(journeyId: string, nodeId: string): readonly CatalogEntry[] {
    return this.triggers.get(`${journeyId}\u0000${nodeId}`) ?? [];
  }

  /** Running journeys with a scheduled entry (segment or date property). */
  scheduled(): readonly ScheduledJourney[] {
    return this.scheduledJourneys;
  }

  version(journeyId: string, version: number): CatalogEntry | undefined {
    return this.versions.get(`${journeyId}@${version}`);
  }

  /** Running journeys this event may start: those triggered by its name, or the one a scheduled entry names. */
  startingOn(event: Pick<JourneyEvent, 'name' | 'properties'>): CatalogEntry[] {
    return this.startsOn.get(eventKey(event)) ?? [];
  }
}

/** A scheduled entry starts only the journey it names; any other event, every journey triggered by its name. */
function startKey(entryEvent: string, journeyId: string): string {
  return entryEvent === ENTER_EVENT ? `${ENTER_EVENT}:${journeyId}` : entryEvent;
}

function eventKey(event: Pick<JourneyEvent, 'name' | 'properties'>): string {
  return event.name === ENTER_EVENT ? `${ENTER_EVENT}:${String(event.properties.journeyId)}` : event.name;
}

function acceptsEntries(status: JourneyStatus): boolean {
  return status === 'running';
}

/** Split conditions that read a user's event history. */
function historyConditions(journey: CompiledJourney): Condition[] {
  return journey.definition.nodes.flatMap((n) => (n.kind === 'split' && n.condition && usesEvents(n.condition) ? [n.condition] : []));
}

/**
 * The names of the events a unit of work may read back from the store while running these journeys: those a
 * journey started now replays when they overtook its entry (its watches: Catalog.lookback), those a split asks
 * of a user's history (contextSpec), and those a scheduled segment counts (scheduler.ts). A store that keeps
 * only these events decides the same (a simulation's: sim/run.ts, throwawayStore).
 */
export function eventsReadBack(journeys: readonly CompiledJourney[]): Set<string> {
  const names = new Set<string>();
  for (const journey of journeys) {
    for (const name of watchedEvents(journey)) names.add(name);
    const trigger = journey.entry.trigger;
    const conditions = trigger.type === 'segment' ? [...historyConditions(journey), trigger.segment] : historyConditions(journey);
    // The names do not depend on the moment, only each name's window does.
    for (const condition of conditions) for (const name of eventNeeds(condition, 0).names) names.add(name);
  }
  return names;
}

function watchedEvents(journey: CompiledJourney): Set<string> {
  const names = new Set(journey.goals.map((g) => g.event));
  const trigger = journey.entry.trigger;
  if (trigger.type === 'inaction') names.add(trigger.notEvent);
  for (const node of journey.nodes.values()) for (const name of specOf(node).watches?.(node) ?? []) names.add(name);
  return names;
}
