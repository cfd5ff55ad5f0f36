/** How the CLI fails: one readable line (plus any listed problems), a non-zero exit code, no stack trace unless asked. */
import type { Problem } from '../core/problem.ts';

export type { Problem };

/** An error meant for the user: its message is the whole story. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [],
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function debugEnabled(verbose?: boolean): boolean {
  return verbose === true || ['1', 'true', 'yes'].includes((process.env.WAYMARK_DEBUG ?? '').toLowerCase());
}

/** Prints `error` to stderr the way the CLI does, and returns the exit code to use. */
export function reportError(error: unknown, verbose: boolean): number {
  const problems = problemsOf(error);
  const message = error instanceof Error && error.constructor.name === 'InvalidJourneyError' ? `invalid journey (${plural(problems.length, 'problem')})` : messageOf(error);
  process.stderr.write(`waymark: ${message}\n`);
  for (const p of problems) process.stderr.write(`  ${p.path || '/'}: ${p.message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return error instanceof CliError ? error.exitCode : 1;
}

/** Problems carried by a CliError, or by the app's InvalidJourneyError (not imported: it would load the validator). */
function problemsOf(error: unknown): Problem[] {
  const problems = (error as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) ? problems.filter((p): p is Problem => typeof p?.path === 'string' && typeof p?.message === 'string') : [];
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    const path = (error as NodeJS.ErrnoException).path;
    if (code === 'ENOENT' && path) return `${path} does not exist`;
    if (code === 'EACCES' && path) return `permission denied: ${path}`;
    return error.message.split('\n')[0] || error.name;
  }
  return String(error);
}
