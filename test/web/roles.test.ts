/**
 * The dashboard's role levels against the server's table (docs/security.md, "Dashboard users and roles"),
 * written out by hand: read is viewer and up, edit editor and up, admin admin only; signed out, nothing. And
 * the password form's own checks, before the server is asked.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPasswordProblem } from '../../web/src/lib/passwords.ts';
import { can, cannotHint } from '../../web/src/lib/roles.ts';

test('each role may do what the table says, and no more', () => {
  const table = {
    viewer: { read: true, edit: false, admin: false },
    editor: { read: true, edit: true, admin: false },
    admin: { read: true, edit: true, admin: true },
  } as const;
  for (const [role, abilities] of Object.entries(table)) {
    for (const [what, allowed] of Object.entries(abilities)) {
      assert.equal(can(role as keyof typeof table, what as 'read'), allowed, `${role} ${what}`);
    }
  }
  for (const what of ['read', 'edit', 'admin'] as const) assert.equal(can(null, what), false, `signed out: no ${what}`);
});

test('the hint names the role that lacks the right and who can give it', () => {
  assert.equal(cannotHint('viewer', 'edit'), "Viewers can't change journeys: ask an admin for the editor role.");
  assert.equal(cannotHint('editor', 'admin'), "Editors can't change settings or providers: only an admin can.");
});

test('a new password is checked for length and confirmation before it is sent', () => {
  assert.deepEqual(newPasswordProblem('eleven-char', 'eleven-char'), { field: 'new', message: 'The new password needs at least 12 characters.' });
  assert.equal(newPasswordProblem('twelve-chars', 'twelve-chars'), null, 'twelve is enough');
  assert.deepEqual(newPasswordProblem('x'.repeat(201), 'x'.repeat(201)), { field: 'new', message: 'The new password can have at most 200 characters.' });
  assert.equal(newPasswordProblem('x'.repeat(200), 'x'.repeat(200)), null, 'two hundred is the most');
  assert.deepEqual(newPasswordProblem('twelve-chars', 'twelve-charz'), { field: 'confirm', message: 'The two new passwords differ: type the same one twice.' });
});
