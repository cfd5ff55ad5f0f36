/**
 * Dashboard passwords: node's scrypt with a random salt per password. The stored form carries its parameters,
 * "scrypt$N$r$p$salt$hash" (salt and hash base64url), so the cost can be raised later: old hashes still verify
 * with the parameters they were made with. Comparison is constant-time.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** About 50 ms and 16 MiB per hash on a 2020s server core: slow for a guesser, bearable per sign-in. */
export const SCRYPT = { N: 16_384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashPassword(password: string, params: { N: number; r: number; p: number } = SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` matches `stored`; false for a stored value that is not one of ours (never a throw). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false;
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = await derive(password, Buffer.from(parts[4]!, 'base64url'), { N, r, p });
  return timingSafeEqual(actual, expected);
}

/** Verified in place of a user who does not exist, so an unknown email costs as long as a wrong password. */
let decoy: Promise<string> | null = null;
export async function spendVerify(password: string): Promise<void> {
  decoy ??= hashPassword('decoy password, never anyone’s');
  await verifyPassword(password, await decoy);
}

/** A password for a user made without one: printed once by the CLI (128 random bits). */
export function generatePassword(): string {
  return randomBytes(16).toString('base64url');
}
