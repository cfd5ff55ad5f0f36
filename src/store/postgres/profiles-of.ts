/** The profiles of a list of users, in bounded batches, one index probe per user. */
import type pg from 'pg';
import type { Row } from '../rows.ts';
import type { Profile } from '../store.ts';
import { PROFILES_OF_USERS } from './batch-lookups.ts';
import { toProfile } from './pg-rows.ts';

const BATCH = 1_000;

export async function profilesOf(pool: pg.Pool, userIds: readonly string[]): Promise<Profile[]> {
  const users = [...new Set(userIds)];
  const profiles: Profile[] = [];
  for (let i = 0; i < users.length; i += BATCH) {
    const { rows } = await pool.query({ name: 'wm-profiles-of-list', text: PROFILES_OF_USERS, values: [users.slice(i, i + BATCH)] });
    profiles.push(...(rows as Row[]).map(toProfile));
  }
  return profiles;
}

/** Through profiles_by_phone (an index on the trait's text). */
export async function profilesWithPhone(pool: pg.Pool, phone: string, limit: number): Promise<Profile[]> {
  const { rows } = await pool.query({
    name: 'wm-profiles-with-phone',
    text: "SELECT user_id, traits, updated_at FROM profiles WHERE traits ->> 'phone' = $1 ORDER BY user_id LIMIT $2",
    values: [phone, limit],
  });
  return (rows as Row[]).map(toProfile);
}
