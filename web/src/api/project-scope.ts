/**
 * Which project the dashboard's calls are for (every request names it: api/client.ts), and whether an answer
 * is still wanted. After a switch the store holds the new project's state; an answer to a call made before
 * is the old project's, so it never arrives (its promise stays pending) rather than land there. Only a user's
 * click switches, so nothing can switch between this check and the caller's use of the answer.
 */
export const DEFAULT_PROJECT = 'default';

let project = DEFAULT_PROJECT;
/** A new token at each switch: an answer is wanted when its call began in the era still current. */
let era: object = {};
let onGone: (id: string) => void = () => {};

export const currentProject = () => project;
export const projectEra = () => era;

/** Every call from now on is for project `id`. */
export function setProject(id: string): void {
  if (id === project) return;
  project = id;
  era = {};
}

/** Told when the server no longer knows the current project (the store then goes back to the default one). */
export function whenProjectGone(listener: (id: string) => void): void {
  onGone = listener;
}

/**
 * The outcome of a call just made, unless the project is switched before it comes. A failure that `gone`
 * says means "no such project" is reported to the listener instead (for a project other than the default).
 */
export function forProject<T>(outcome: Promise<T>, gone: (error: unknown, id: string) => boolean = () => false): Promise<T> {
  const asked = { era, project };
  return outcome.then(
    (value) => (asked.era === era ? value : never<T>()),
    (error: unknown) => {
      if (asked.era !== era) return never<T>();
      if (asked.project !== DEFAULT_PROJECT && gone(error, asked.project)) {
        onGone(asked.project);
        return never<T>();
      }
      throw error;
    },
  );
}

/** An answer that never comes: what a call no longer wanted (another project's, an ended session's) gives. */
export const never = <T>() => new Promise<T>(() => {});
