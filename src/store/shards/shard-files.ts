/**
 * Shards of an embedded database: the users are split by a hash of their id (after the identity map) among
 * files, each with an engine thread of its own. Shard 0 is the main file, which also keeps everything that is
 * not a user's (keys, journeys, settings...); shard k is data/waymark.shard_k.db beside it. An underscore
 * cannot be in a project's id, so no project's file (data/waymark.<id>.db) is ever a shard's.
 */
import { basename, dirname, extname, join } from 'node:path';

/** The most shards a database may have: the read connection attaches each other file, and SQLite attaches at most 10. */
export const MAX_SHARDS = 8;

/** The files of a database of `count` shards: the main file first. */
export function shardFiles(mainFile: string, count: number): string[] {
  const ext = extname(mainFile);
  const files = [mainFile];
  for (let k = 1; k < count; k++) files.push(join(dirname(mainFile), `${basename(mainFile, ext)}.shard_${k}${ext || '.db'}`));
  return files;
}

/** The shard of a user: FNV-1a of the id's UTF-16 code units, modulo the shards. Stable: it decides where rows are. */
export function shardOf(userId: string, count: number): number {
  if (count === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) h = Math.imul(h ^ userId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % count;
}
