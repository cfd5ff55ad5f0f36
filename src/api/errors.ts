/** Errors the API raises itself; the server's error handler turns them into JSON bodies. */

import type { Problem } from '../core/problem.ts';

export type { Problem };

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
  }
}

export function badRequest(problems: Problem[], what = 'request body'): ApiError {
  return new ApiError(400, summarize(problems, what), problems);
}

/** One line naming the first few problems, so a log line or a curl user sees what is wrong without the list. */
export function summarize(problems: Problem[], what: string): string {
  const shown = problems.slice(0, 3).map((p) => `${p.path || '/'} ${p.message}`);
  const more = problems.length > shown.length ? ` (and ${problems.length - shown.length} more)` : '';
  return `invalid ${what}: ${shown.join('; ')}${more}`;
}
