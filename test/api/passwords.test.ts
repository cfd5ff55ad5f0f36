/** scrypt password hashes: salted, parameters kept with the hash (and honoured), malformed stored values refused without a throw. */
import assert from 'node:assert/strict';
import { scryptSync } from 'node:crypto';
import { test } from 'node:test';
import { hashPassword, SCRYPT, verifyPassword } from '../../src/api/passwords.ts';

test('a hash carries its parameters and salt, verifies the password and only it, and differs for the same password', async () => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  const [scheme, N, r, p, salt, hash] = a.split('$');
  assert.deepEqual([scheme, Number(N), Number(r), Number(p)], ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p]);
  assert.equal(Buffer.from(salt!, 'base64url').length, 16);
  // Recomputed here with node's scrypt directly, from the stored salt and parameters.
  const expected = scryptSync('correct horse battery', Buffer.from(salt!, 'base64url'), 32, { N: 16_384, r: 8, p: 1 }).toString('base64url');
  assert.equal(hash, expected);
  assert.notEqual(a, b, 'a salt per password');
  assert.equal(await verifyPassword('correct horse battery', a), true);
  assert.equal(await verifyPassword('correct horse batterY', a), false);
  assert.equal(await verifyPassword('', a), false);
});

test('older (cheaper) parameters still verify: the cost can be raised later', async () => {
  const salt = Buffer.from('0123456789abcdef');
  const old = `scrypt$1024$8$1$${salt.toString('base64url')}$${scryptSync('old password!', salt, 32, { N: 1024, r: 8, p: 1 }).toString('base64url')}`;
  assert.equal(await verifyPassword('old password!', old), true);
  assert.equal(await verifyPassword('old password?', old), false);
});

test('a stored value that is not one of ours is a wrong password, never a throw', async () => {
  for (const stored of ['', 'plain', 'bcrypt$2$b$c$d$e', 'scrypt$x$8$1$c2FsdA$aGFzaA', 'scrypt$1024$8$1$c2FsdA$c2hvcnQ']) {
    assert.equal(await verifyPassword('anything', stored), false, stored);
  }
});
