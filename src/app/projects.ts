/**
 * Projects: one deployment serving several brands, each apart from the others. A project is a Waymark of its
 * own: its own database (SQLite: a file beside the default one; PostgreSQL: a schema beside the default one),
 * its own engine, keys, journeys, profiles, messages, providers and settings. The isolation is by
 * construction: no query made in one project can name another's rows, so no route can leak them.
 *
 * The default project is the deployment's own database. It also holds what belongs to the deployment: the
 * registry of the other projects (`store.listProjects`) and the dashboard's users, who work in every project.
 * Processes learn of a project made by another process from the registry (`refresh`).
 */
import { join, dirname, basename, extname } from 'node:path';
import type { EngineHandle } from '../engine/handle.ts';
import { log } from '../ops/logger.ts';
import type { ProjectRecord } from '../store/store.ts';
import type { Waymark } from './waymark.ts';

export const DEFAULT_PROJECT = 'default';
/** A project id: lowercase letters, digits and dashes, a letter first; it names a file and a schema. */
export const PROJECT_ID_PATTERN = '^[a-z][a-z0-9-]{0,31}$';
const PROJECT_ID = new RegExp(PROJECT_ID_PATTERN);

export interface ProjectInfo {
  id: string;
  name: string;
  /** null for the default project, which is as old as the deployment. */
  createdAt: number | null;
}

/** Opens (creating and migrating as needed) the data of project `id` and starts its engine. */
export type ProjectOpener = (id: string) => Promise<Waymark<EngineHandle>>;

export class ProjectError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'taken' | 'unsupported',
  ) {
    super(message);
  }
}

/** How often, at most, a process reads the registry for projects other processes made. */
const REFRESH_MS = 1_000;

export class Projects {
  /** Opened (or opening) here, by id; the default project is always there. */
  private readonly opened = new Map<string, Promise<Waymark<EngineHandle>>>();
  /** The same, once open: what a request may be routed to without waiting. */
  private readonly ready = new Map<string, Waymark<EngineHandle>>();
  /** When the last registry read began (0: none yet), and the next one, waiting for its turn, if any. */
  private lastRead = 0;
  private nextRead: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private watching: NodeJS.Timeout | null = null;
  /** The registry read under way, if any: close() waits for it before closing the stores it reads. */
  private reading: Promise<void> = Promise.resolve();

  constructor(
    readonly main: Waymark<EngineHandle>,
    private readonly opener: ProjectOpener | null,
    private readonly now: () => number = Date.now,
  ) {
    this.opened.set(DEFAULT_PROJECT, Promise.resolve(main));
    this.ready.set(DEFAULT_PROJECT, main);
  }

  /** Every project open in this process, the default first. */
  openProjects(): Array<[string, Waymark<EngineHandle>]> {
    return [...this.ready];
  }

  /** The running project `id`, opened here first if the registry names it; null when there is no such project. */
  async get(id: string): Promise<Waymark<EngineHandle> | null> {
    const open = this.ready.get(id);
    if (open) return open;
    if (!PROJECT_ID.test(id)) return null;
    if (!this.opened.has(id)) await this.refresh();
    return (await this.opened.get(id)) ?? null;
  }

  /** The default project, then the others, oldest first. */
  async list(): Promise<ProjectInfo[]> {
    return [{ id: DEFAULT_PROJECT, name: 'Default', createdAt: null }, ...(await this.main.store.listProjects())];
  }

  /**
   * Makes project `id`: its database, then `init` on it (its first keys), then its registry entry, so a
   * project the registry names always has its data and keys. One at a time per deployment.
   */
  async create<T>(id: string, name: string, init: (waymark: Waymark<EngineHandle>) => Promise<T>): Promise<{ project: ProjectRecord; made: T }> {
    if (!PROJECT_ID.test(id) || id === DEFAULT_PROJECT) {
      throw new ProjectError(`a project id is 1 to 32 lowercase letters, digits and dashes, starting with a letter, and not "${DEFAULT_PROJECT}"; got ${JSON.stringify(id)}`, 'invalid');
    }
    if (!this.opener) throw new ProjectError('this server was started with one project only: it cannot make others', 'unsupported');
    return this.main.store.exclusively('projects', async () => {
      if ((await this.main.store.listProjects()).some((p) => p.id === id)) throw new ProjectError(`a project "${id}" exists already`, 'taken');
      const waymark = await this.open(id);
      try {
        const made = await init(waymark);
        const project = { id, name, createdAt: this.now() };
        await this.main.store.addProject(project);
        return { project, made };
      } catch (error) {
        // Not registered: no request may reach it, and the next attempt opens it afresh.
        this.ready.delete(id);
        this.opened.delete(id);
        await waymark.close().catch(() => {});
        throw error;
      }
    });
  }

  /**
   * Opens every project the registry names that is not open here yet, by a read that begins after the call: a
   * read already under way may have begun before another process added the project the caller looks for (a key
   * of it, just made). At most one read a second however many ask (an unknown key or project name asks, and must
   * not make every request read the registry): within a second of the last, callers wait for the next, together.
   */
  refresh(): Promise<void> {
    if (this.nextRead) return this.nextRead;
    const wait = Math.min(this.lastRead + REFRESH_MS - this.now(), REFRESH_MS); // a clock set back waits no longer
    const read = () => {
      this.nextRead = null;
      this.lastRead = this.now();
      if (this.closing) return Promise.resolve();
      this.reading = this.readRegistry();
      return this.reading;
    };
    if (wait <= 0) return read();
    this.nextRead = new Promise<void>((resolve) => setTimeout(resolve, wait).unref()).then(read);
    return this.nextRead;
  }

  private async readRegistry(): Promise<void> {
    for (const { id } of await this.main.store.listProjects()) if (!this.opened.has(id)) await this.open(id).catch((err: unknown) => log().error({ err, project: id }, 'could not open a project'));
  }

  /**
   * Reads the registry every `everyMs` from now on, so that a process that serves no requests (a worker) runs
   * the engine of a project another process made. Stops at close().
   */
  watch(everyMs: number): void {
    // Logged, not thrown: a registry read failing (the database away a moment) must not end the process; the
    // next one tries again.
    this.watching ??= setInterval(() => void this.refresh().catch((err: unknown) => log().error({ err }, 'could not read the registry of projects')), everyMs);
    this.watching.unref();
  }

  /** Closes every project open here, the default last. */
  close(): Promise<void> {
    if (this.watching) clearInterval(this.watching);
    this.closing ??= (async () => {
      // A read under way would fail on a closed store, and log so at a SIGTERM on a loaded machine: wait for it
      // (it opens nothing more once closing began).
      await this.reading.catch(() => {});
      const others = [...this.opened].filter(([id]) => id !== DEFAULT_PROJECT);
      await Promise.allSettled(others.map(async ([, waymark]) => (await waymark).close()));
      await this.main.close();
    })();
    return this.closing;
  }

  private open(id: string): Promise<Waymark<EngineHandle>> {
    const known = this.opened.get(id);
    if (known) return known;
    if (!this.opener || this.closing) return Promise.reject(new ProjectError(`project "${id}" cannot be opened here`, 'unsupported'));
    const opening = this.opener(id).then((waymark) => {
      this.ready.set(id, waymark);
      return waymark;
    });
    this.opened.set(id, opening);
    // A project that failed to open is tried again by the next refresh.
    opening.catch(() => this.opened.get(id) === opening && this.opened.delete(id));
    return opening;
  }
}

/** Where project `id` keeps its data beside the default project's SQLite file: data/waymark.db -> data/waymark.shop.db. */
export function projectFile(mainFile: string, id: string): string {
  const ext = extname(mainFile);
  return join(dirname(mainFile), `${basename(mainFile, ext)}.${id}${ext || '.db'}`);
}

/** The PostgreSQL schema of project `id` beside the default project's: waymark -> waymark_shop (dashes become underscores; ids have none). */
export function projectSchema(mainSchema: string, id: string): string {
  return `${mainSchema}_${id.replaceAll('-', '_')}`;
}
