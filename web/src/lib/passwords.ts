/** What the server asks of a dashboard user's password (src/api/passwords.ts): the forms say it before sending. */
export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 200;

/** What is wrong with a new password and its confirmation, before the server is asked; null when nothing is. */
export function newPasswordProblem(password: string, confirmation: string): { field: 'new' | 'confirm'; message: string } | null {
  if (password.length < MIN_PASSWORD) return { field: 'new', message: `The new password needs at least ${MIN_PASSWORD} characters.` };
  if (password.length > MAX_PASSWORD) return { field: 'new', message: `The new password can have at most ${MAX_PASSWORD} characters.` };
  if (confirmation !== password) return { field: 'confirm', message: 'The two new passwords differ: type the same one twice.' };
  return null;
}
