/**
 * Where each project's data lives, and how a process opens it (app/projects.ts): beside the default project's
 * SQLite file, or in a schema beside the default project's PostgreSQL schema. The default project is opened
 * by the caller; these open the others the same way.
 */
import { logError } from '../ops/logger.ts';
import { openStore } from '../store/open.ts';
import { lockDatabaseFile } from '../store/sqlite/file-lock.ts';
import { openThreadedWaymark, openWaymark, type WaymarkOptions } from './waymark.ts';
import { ProjectError, projectFile, projectSchema, type ProjectOpener } from './projects.ts';

type EngineOptions = NonNullable<WaymarkOptions['engine']>;

/** The embedded store: project `id` of data/waymark.db is data/waymark.<id>.db, its engine in a thread of its own when `threaded`. */
export function sqliteProjectOpener(mainFile: string, options: { threaded: boolean; engine?: EngineOptions; onFatal?: (error: Error) => void }): ProjectOpener {
  return async (id) => {
    const file = projectFile(mainFile, id);
    // One server per file, as for the default one (store/sqlite/file-lock.ts): a `waymark serve --db` on a
    // project's file while this process runs it would be a second engine sending the same messages.
    const lock = lockDatabaseFile(file);
    try {
      const waymark = options.threaded
        ? await openThreadedWaymark({ file, engine: options.engine ?? {}, onFatal: options.onFatal ?? ((error) => logError('engine')(error, `project ${id}`)) })
        : await openWaymark({ database: file, ...(options.engine ? { engine: options.engine } : {}) });
      const close = waymark.close.bind(waymark);
      waymark.close = () => close().finally(() => lock.release());
      return waymark;
    } catch (error) {
      lock.release();
      throw error;
    }
  };
}

/** PostgreSQL: project `id` of schema "waymark" is schema "waymark_<id>" (dashes become underscores), with a pool of its own. */
export function postgresProjectOpener(url: string, mainSchema: string, options: { poolSize?: number; background: boolean; engine?: EngineOptions }): ProjectOpener {
  return async (id) => {
    const schema = projectSchema(mainSchema, id);
    if (schema.length > 63) throw new ProjectError(`the project's schema name "${schema}" is longer than PostgreSQL's 63 characters: choose a shorter id`, 'invalid');
    const store = await openStore(url, { schema, ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}) });
    try {
      await store.ping();
      return await openWaymark({ database: store, background: options.background, ...(options.engine ? { engine: options.engine } : {}) });
    } catch (error) {
      await store.close().catch(() => {});
      throw error;
    }
  };
}
