/**
 * Journey lifecycle: drafts are validated on every save, publishing freezes the draft as a new immutable
 * version, and every status change reaches the running engine at once.
 */
import { randomUUID } from 'node:crypto';
import type { JourneyDefinition } from '../core/definition.ts';
import { movableNodeIds } from '../core/move-users.ts';
import { publishChecks, type PublishCheckResult } from '../core/publish-checks.ts';
import { compileJourney, type CompiledJourney, type Problem } from '../core/validate.ts';
import type { EngineHandle } from '../engine/handle.ts';
import type { JourneyRecord, JourneyStatus, JourneyVersion, Page, PageRequest, Store } from '../store/store.ts';

export class InvalidJourneyError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`invalid journey: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}

export class NotFoundError extends Error {}

export class ConflictError extends Error {}

export type Layout = JourneyRecord['layout'];

/** A journey id: 1-63 lowercase letters, digits and dashes. Shared with the API schema. */
export const JOURNEY_ID_PATTERN = '^[a-z0-9][a-z0-9-]{0,62}$';
const ID_PATTERN = new RegExp(JOURNEY_ID_PATTERN);

export interface JourneyServiceOptions {
  /**
   * Every profile trait name ever set, for the publish checks that warn about templates and channels using
   * traits no profile has; null (or no function) skips those checks.
   */
  knownTraits?: () => Promise<ReadonlySet<string> | null>;
}

/** A published version, with what the publish checks found worth saying but not worth refusing. */
export type PublishedVersion = JourneyVersion & { warnings: Problem[]; moved: number };

/**
 * Where a journey is in its life, as a marketer sees it. Stored statuses are draft, running, paused and
 * stopped; "scheduled" is a running journey whose entry timeline has not started, and "completed" one whose
 * timeline has ended with nobody left inside.
 */
export type Lifecycle = JourneyStatus | 'scheduled' | 'completed';
export type JourneyView = Omit<JourneyRecord, 'status'> & { status: Lifecycle };

export class JourneyService {
  constructor(
    private readonly store: Store,
    private readonly engine: EngineHandle,
    private readonly options: JourneyServiceOptions = {},
  ) {}

  validate(definition: unknown): JourneyDefinition {
    return this.compile(definition).definition;
  }

  private compile(definition: unknown): CompiledJourney {
    const result = compileJourney(definition);
    if (!result.ok) throw new InvalidJourneyError(result.problems);
    return result.journey;
  }

  async create(input: { id?: string; definition: unknown; layout?: Layout }): Promise<JourneyRecord> {
    const definition = this.validate(input.definition);
    const id = input.id ?? slugOf(definition.name);
    if (!ID_PATTERN.test(id)) throw new InvalidJourneyError([{ path: '/id', message: 'a journey id is 1-63 lowercase letters, digits and dashes' }]);
    if (await this.store.getJourney(id)) throw new ConflictError(`journey "${id}" already exists`);
    return this.store.createJourney({ id, name: definition.name, draft: definition, layout: input.layout ?? {} }, this.engine.clock.now());
  }

  async update(id: string, input: { definition: unknown; layout?: Layout }): Promise<JourneyRecord> {
    const definition = this.validate(input.definition);
    const updated = await this.store.updateJourneyDraft(id, definition, input.layout, this.engine.clock.now());
    if (!updated) throw new NotFoundError(`no journey "${id}"`);
    return updated;
  }

  async get(id: string): Promise<JourneyRecord> {
    const journey = await this.store.getJourney(id);
    if (!journey) throw new NotFoundError(`no journey "${id}"`);
    return journey;
  }

  /** The journey with its lifecycle status. */
  async view(id: string): Promise<JourneyView> {
    const journey = await this.get(id);
    return this.lifecycle(journey, await this.store.listVersions(id));
  }

  async list(): Promise<JourneyView[]> {
    const [journeys, versions] = await Promise.all([this.store.listJourneys(), this.store.listVersions()]);
    return Promise.all(journeys.map((j) => this.lifecycle(j, versions)));
  }

  /** A page of list(): only the page's running journeys' versions are read. */
  async listPage(page: PageRequest): Promise<Page<JourneyView>> {
    const { items, nextCursor } = await this.store.journeyPage(page);
    return { items: await Promise.all(items.map(async (j) => this.lifecycle(j, j.status === 'running' ? await this.store.listVersions(j.id) : []))), nextCursor };
  }

  private async lifecycle(journey: JourneyRecord, versions: JourneyVersion[]): Promise<JourneyView> {
    if (journey.status !== 'running') return journey;
    const current = versions.find((v) => v.journeyId === journey.id && v.version === journey.version);
    const setup = current?.definition.setup ?? {};
    const now = this.engine.clock.now();
    if (setup.startAt !== undefined && now < Date.parse(setup.startAt)) return { ...journey, status: 'scheduled' };
    if (setup.endAt !== undefined && now >= Date.parse(setup.endAt) && (await this.store.liveInstanceCount(journey.id)) === 0) {
      return { ...journey, status: 'completed' };
    }
    return journey;
  }

  async versions(id: string): Promise<JourneyVersion[]> {
    await this.get(id);
    return this.store.listVersions(id);
  }

  async versionPage(id: string, page: PageRequest): Promise<Page<JourneyVersion>> {
    await this.get(id);
    return this.store.versionPage(id, page);
  }

  /**
   * Freezes the current draft as the next version; new entries take it, users in flight stay on theirs.
   * Refused (InvalidJourneyError, every problem listed) when the draft does not validate or a publish check
   * finds an error; the publish checks' warnings come back with the version.
   */
  async publish(id: string, options: { moveUsers?: boolean } = {}): Promise<PublishedVersion> {
    const journey = await this.get(id);
    if (journey.status === 'stopped') throw new ConflictError(`journey "${id}" is stopped; create a new journey instead`);
    const compiled = this.compile(journey.draft);
    const { errors, warnings } = await this.findings(compiled, id);
    if (errors.length > 0) throw new InvalidJourneyError(errors);
    const version = await this.store.publishJourney(id, this.engine.clock.now());
    if (!version) throw new NotFoundError(`no journey "${id}"`);
    await this.engine.reloadJourneys();
    // Users in flight stay on their version unless asked; moved ones go on from the node they are at.
    const moved = options.moveUsers ? await this.moveUsers(id, version) : 0;
    return { ...version, warnings, moved };
  }

  /** Moves users in flight onto `version` where the node they are at is there as the same kind (src/core/move-users.ts). */
  private async moveUsers(id: string, version: JourneyVersion): Promise<number> {
    const earlier = (await this.store.listVersions(id)).filter((v) => v.version !== version.version).map((v) => v.definition);
    return this.store.moveInstances(id, version.version, movableNodeIds(version.definition, earlier), this.engine.clock.now());
  }

  /**
   * What publishing a definition would find, without publishing (InvalidJourneyError when it does not
   * validate): an editor shows it as one draws. `id` is the journey it is a draft of, when it is one.
   */
  async check(definition: unknown, id?: string): Promise<PublishCheckResult> {
    return this.findings(this.compile(definition), id);
  }

  private async findings(compiled: CompiledJourney, id: string | undefined): Promise<PublishCheckResult> {
    const knownTraits = this.options.knownTraits ? await this.options.knownTraits() : null;
    const { errors, warnings } = publishChecks(compiled, { knownTraits, now: this.engine.clock.now() });
    errors.push(...(await this.triggerProblems(id, compiled)));
    return { errors, warnings };
  }

  /** A journey trigger must name another journey that has the node, in its draft or a published version. */
  private async triggerProblems(id: string | undefined, compiled: CompiledJourney): Promise<Problem[]> {
    const trigger = compiled.entry.trigger;
    if (trigger.type !== 'journey') return [];
    const index = compiled.definition.nodes.findIndex((n) => n.id === compiled.entry.id);
    const path = `/nodes/${index}/trigger`;
    if (id !== undefined && trigger.journeyId === id) return [{ path: `${path}/journeyId`, message: 'a journey cannot be triggered by itself' }];
    const source = await this.store.getJourney(trigger.journeyId);
    if (!source) return [{ path: `${path}/journeyId`, message: `no journey "${trigger.journeyId}"` }];
    const versions = await this.store.listVersions(trigger.journeyId);
    const hasNode = [source.draft, ...versions.map((v) => v.definition)].some((d) => d.nodes.some((n) => n.id === trigger.nodeId));
    return hasNode ? [] : [{ path: `${path}/nodeId`, message: `journey "${trigger.journeyId}" has no node "${trigger.nodeId}"` }];
  }

  /** No new entries; users inside continue. */
  pause(id: string): Promise<JourneyRecord> {
    return this.transition(id, 'paused', ['running']);
  }

  resume(id: string): Promise<JourneyRecord> {
    return this.transition(id, 'running', ['paused']);
  }

  /** No new entries and everyone inside exits. Final. */
  async stop(id: string): Promise<{ journey: JourneyRecord; exited: number }> {
    const journey = await this.transition(id, 'stopped', ['draft', 'running', 'paused']);
    const exited = await this.store.stopInstances(id, this.engine.clock.now());
    return { journey, exited };
  }

  private async transition(id: string, to: JourneyStatus, from: JourneyStatus[]): Promise<JourneyRecord> {
    const journey = await this.get(id);
    if (journey.status === to) return journey;
    if (!from.includes(journey.status)) throw new ConflictError(`journey "${id}" is ${journey.status}; it cannot become ${to}`);
    if (to === 'running' && journey.version === null) throw new ConflictError(`journey "${id}" has never been published`);
    const updated = (await this.store.setJourneyStatus(id, to, this.engine.clock.now()))!;
    await this.engine.reloadJourneys();
    return updated;
  }
}

function slugOf(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);
  return slug || `journey-${randomUUID().slice(0, 8)}`;
}
