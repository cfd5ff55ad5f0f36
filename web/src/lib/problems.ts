/** Which of the server's problems a form field shows: those at its JSON pointer, or under it. */

export interface PathProblem {
  path: string;
  message: string;
}

/** Problems at `path` exactly. */
export function problemsAt(problems: readonly PathProblem[], path: string): PathProblem[] {
  return problems.filter((p) => p.path === path);
}

/** Problems at `path` or anywhere under it (`/nodes/3/where` holds `/nodes/3/where/0/value`). */
export function problemsWithin(problems: readonly PathProblem[], path: string): PathProblem[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}/`));
}

/** The messages, each once, in order: two checks can say the same thing of one field. */
export function messagesOf(problems: readonly PathProblem[]): string[] {
  return [...new Set(problems.map((p) => p.message))];
}
