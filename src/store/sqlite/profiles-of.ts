/** The profiles of a list of users, read by primary key in bounded IN lists. */
import type { Profile } from '../store.ts';
import { chunks, type Sql } from './connection.ts';
import { toProfile } from './sqlite-rows.ts';

export function profilesOf(sql: Sql, userIds: readonly string[]): Profile[] {
  const profiles: Profile[] = [];
  for (const chunk of chunks([...new Set(userIds)])) profiles.push(...sql.inList('SELECT * FROM profiles WHERE user_id IN', chunk).map(toProfile));
  return profiles;
}

/** Through profiles_by_phone (an index on the trait's JSON value). */
export function profilesWithPhone(sql: Sql, phone: string, limit: number): Profile[] {
  return sql.all("SELECT * FROM profiles WHERE json_extract(traits, '$.phone') = ? ORDER BY user_id LIMIT ?", phone, limit).map(toProfile);
}
