/**
 * Where an import got to, kept beside the file (`FILE.import-progress`) after every batch the server took, so
 * `--resume` after a failure (a bad line, the server gone) starts after the last line known to be stored instead
 * of at the top. Removed when the import completes. Events are deduplicated by id anyway, so a lost or stale
 * progress file costs a re-send, never a double event; profiles are upserts, so a re-send is harmless too.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { CliError } from '../errors.ts';

export interface Progress {
  /** What was imported: `events import` progress never resumes `profiles import`. */
  kind: 'events' | 'profiles';
  /** The last line whose record the server has taken; a resumed import skips up to and including it. */
  line: number;
  /** Records sent before the stop. */
  sent: number;
}

export const progressPath = (file: string) => `${file}.import-progress`;

/** The progress a previous run of this import left, or null when it left none. */
export function readProgress(file: string, kind: Progress['kind']): Progress | null {
  const path = progressPath(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  let p: Partial<Progress>;
  try {
    p = JSON.parse(text) as Partial<Progress>;
  } catch {
    throw new CliError(`${path} is not an import's progress file (not JSON): delete it, or import without --resume`);
  }
  if (p.kind !== kind || !Number.isInteger(p.line) || !Number.isInteger(p.sent)) {
    throw new CliError(`${path} is not the progress of a ${kind} import: delete it, or import without --resume`);
  }
  return p as Progress;
}

/**
 * Writes the progress (a temporary file renamed over the old one, so a crash leaves the old or the new, never
 * half). A folder that cannot be written loses resuming, not the import: the caller warns once and goes on.
 */
export function saveProgress(file: string, progress: Progress): boolean {
  const path = progressPath(file);
  try {
    writeFileSync(`${path}.tmp`, `${JSON.stringify(progress)}\n`);
    renameSync(`${path}.tmp`, path);
    return true;
  } catch {
    return false;
  }
}

export function clearProgress(file: string): void {
  rmSync(progressPath(file), { force: true });
}

