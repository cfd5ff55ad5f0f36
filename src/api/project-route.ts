/**
 * Which project a request is for (app/projects.ts). A key belongs to one project and decides for itself. A
 * request without a key (the dashboard's session, public links) names its project by a URL prefix,
 * `/p/<project>/v1/...`, or the header `Waymark-Project`; naming none means the default project. The prefix is
 * what public links need: a provider's public URL of `https://host/p/shop` makes every tracking, unsubscribe
 * and callback link of project "shop" come back to it.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { Waymark } from '../app/waymark.ts';
import { DEFAULT_PROJECT, type Projects } from '../app/projects.ts';
import type { EngineHandle } from '../engine/handle.ts';
import type { ApiKeyRecord } from '../store/store.ts';
import { cachedKeys, findKey, keyUseRecorder } from './auth.ts';
import { ApiError } from './errors.ts';

export const PROJECT_HEADER = 'waymark-project';
const PREFIX = /^\/p\/([^/?#]+)(.*)$/s;
/** Where rewriteProjectUrl leaves the prefix's project on the raw request. */
const NAMED = Symbol('waymark project');

declare module 'fastify' {
  interface FastifyRequest {
    /** The project this request works in (set by the auth hook, before any handler). */
    project: string;
    waymark: Waymark<EngineHandle>;
  }
}

/** Fastify's rewriteUrl: routes `/p/<project>/rest` as `/rest`, keeping the project for projectOf. */
export function rewriteProjectUrl(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  const match = PREFIX.exec(url);
  if (!match) return url;
  (raw as IncomingMessage & { [NAMED]?: string })[NAMED] = safeDecode(match[1]!);
  const rest = match[2]!;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** The project the URL prefix or the header names, or null; both, and different: a 400. */
export function namedProject(request: FastifyRequest): string | null {
  const fromUrl = (request.raw as IncomingMessage & { [NAMED]?: string })[NAMED] ?? null;
  const header = request.headers[PROJECT_HEADER];
  const fromHeader = typeof header === 'string' && header !== '' ? header : null;
  if (fromUrl !== null && fromHeader !== null && fromUrl !== fromHeader) {
    throw new ApiError(400, `the URL names project "${fromUrl}" and the ${PROJECT_HEADER} header "${fromHeader}": name one`);
  }
  return fromUrl ?? fromHeader;
}

/** A stored key, the project it belongs to and that project's Waymark. */
export interface FoundKey {
  key: ApiKeyRecord;
  project: string;
  waymark: Waymark<EngineHandle>;
}

/**
 * The projects as the API meets them: routes a request to its project, and finds which project's key a token
 * is. Each project's keys are cached (auth.ts, cachedKeys); a token no open project knows makes this process
 * read the registry once (at most once a second), for a project another process made.
 */
export class ProjectRouter {
  private readonly keys = new Map<string, { list: () => Promise<ApiKeyRecord[]>; used: (hash: string) => void }>();
  private readonly views = new WeakMap<Waymark<EngineHandle>, Waymark<EngineHandle>>();

  constructor(
    readonly projects: Projects,
    /** What the routes get of a project's Waymark (the server counts what its engine ingests). */
    private readonly view: (waymark: Waymark<EngineHandle>, project: string) => Waymark<EngineHandle> = (w) => w,
    private readonly now: () => number = Date.now,
  ) {}

  get main(): Waymark<EngineHandle> {
    return this.projects.main;
  }

  /** Routes the request to the project named (the default when none); an unknown one is a 404. */
  async enter(request: FastifyRequest, id: string | null): Promise<void> {
    const project = id ?? DEFAULT_PROJECT;
    const waymark = await this.projects.get(project);
    if (!waymark) throw new ApiError(404, `no project "${project.slice(0, 64)}"`);
    this.route(request, project, waymark);
  }

  /** The stored key `token` is, and its project; null when no project has it. */
  async findKey(token: string): Promise<FoundKey | null> {
    const found = await this.search(token);
    if (found) return found;
    await this.projects.refresh();
    return this.search(token);
  }

  /**
   * Lets a request in with a stored key (found by findKey): a 403 when the URL or header names another project,
   * or when `adminOnly` and it is a write key; else its use is recorded (at most once a minute per key: auth.ts,
   * keyUseRecorder) and the request routed to the key's project.
   */
  accept(request: FastifyRequest, { key, project, waymark }: FoundKey, adminOnly: boolean): void {
    const named = namedProject(request);
    if (named !== null && named !== project) throw new ApiError(403, `this key belongs to project "${project}", not "${named.slice(0, 64)}": a key works in its own project only`);
    if (adminOnly && key.kind !== 'admin') throw new ApiError(403, 'this route needs the admin key; the write key only sends events and profiles');
    this.keysOf(project, waymark).used(key.hash);
    request.keyKind = key.kind;
    request.keyHash = key.hash;
    this.route(request, project, waymark);
  }

  route(request: FastifyRequest, project: string, waymark: Waymark<EngineHandle>): void {
    let view = this.views.get(waymark);
    if (!view) this.views.set(waymark, (view = this.view(waymark, project)));
    request.project = project;
    request.waymark = view;
  }

  private async search(token: string): Promise<FoundKey | null> {
    for (const [project, waymark] of this.projects.openProjects()) {
      const key = await findKey(this.keysOf(project, waymark).list, token);
      if (key) return { key, project, waymark };
    }
    return null;
  }

  private keysOf(project: string, waymark: Waymark<EngineHandle>) {
    let keys = this.keys.get(project);
    if (!keys) {
      keys = { list: cachedKeys(waymark.store, this.now), used: keyUseRecorder(waymark.store, this.now) };
      this.keys.set(project, keys);
    }
    return keys;
  }
}

/**
 * For what belongs to the deployment rather than a project (dashboard users, the registry of projects): the
 * default project's admin key, or a dashboard session (its role already checked). Another project's admin key
 * is that project's only.
 */
export function requireDeployment(request: FastifyRequest): void {
  if (request.keyHash !== undefined && request.project !== DEFAULT_PROJECT) {
    throw new ApiError(403, `this belongs to the deployment, not to project "${request.project}": use the ${DEFAULT_PROJECT} project's admin key or an admin's dashboard session`);
  }
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
