/**
 * Identity merges on PostgreSQL (Store.mergeIdentity): the identity map every unit of work resolves outside
 * ids through (events, trait patches), and the merge itself, one transaction. The rules for people are in
 * docs/integrations.md ("Identities"); the concurrency rules here follow units-of-work.ts:
 *
 *  - A unit resolves its ids, then takes the user locks of both the ids and what they resolve to (ascending
 *    key order, with every other lock of the unit), then reads the map again: a merge of any of them either
 *    committed before that read, or waits for the unit. If the second read differs (a merge committed in
 *    between), the unit's transaction is rolled back and run again (IdentityMapMoved), holding nothing in
 *    between (taking the missing locks out of order could deadlock): an id is merged once, and the user it
 *    resolves to can change only as often as merges chain, so it ends.
 *  - The merge takes the user locks of both ids (and their roots) the same way, then the live instance rows
 *    of both in id order (as ingest, stopInstances and moveInstances do), then `from`'s messages and the
 *    pending ones it cancels in id order (as recordOutcomes does), stats counters in key order, then profiles.
 *  - Inbox rows are not touched: a drain resolves them like ingest.
 */
import { mergeInstances } from '../../core/identity.ts';
import { planMerge, type IdentityMerge, type MergeResult } from '../identities.ts';
import type { Row } from '../rows.ts';
import type { StatDelta } from '../store.ts';
import { addStats, applyChanges } from './apply-changes.ts';
import { transaction, UNIT_BEGIN, type Client } from './connection.ts';
import type pg from 'pg';
import { lockUsers } from './locks.ts';
import { messagesOfInstance } from './batch-lookups.ts';
import { EXITED, INSTANCE_COLUMNS, LIVE, toInstance, unique } from './pg-rows.ts';
import { TraitNameCache } from '../trait-names.ts';

/** The identity map changed between a unit's first read of it and its locks: run the unit again. */
export class IdentityMapMoved extends Error {
  constructor() {
    super('the identity map changed under this unit of work');
  }
}

/**
 * How often a unit is run again after the map moved under it. Each move is a merge of one of its ids (or of
 * the user one resolves to) committed meanwhile, and an id is merged once, so a unit of n ids moves at most
 * about n times plus the merges chained on its users: bounded, and in practice once at most. The cap is a
 * safety net only (a batch of many anonymous ids being merged right then, one by one, took a dozen tries).
 */
const MOVED_RETRIES = 1_000;

/** Runs `unit` (a whole transaction) again while the identity map moves under it. */
export async function retryWhileMapMoves<T>(unit: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await unit();
    } catch (error) {
      if (!(error instanceof IdentityMapMoved) || attempt >= MOVED_RETRIES) throw error;
    }
  }
}

/** The user each merged id among `ids` resolves to; ids never merged are left out. */
export async function mergedIds(c: Client | pg.Pool, ids: readonly string[]): Promise<Map<string, string>> {
  const list = unique([...ids]);
  if (list.length === 0) return new Map();
  const { rows } = await c.query({
    name: 'wm-merged-ids',
    text: 'SELECT i.alias_id, i.user_id FROM unnest($1::text[]) AS u(id) JOIN identities i ON i.alias_id = u.id',
    values: [list],
  });
  return new Map((rows as Row[]).map((r) => [r.alias_id as string, r.user_id as string]));
}

/**
 * Takes the user locks of `ids` and of the users they resolved to in `before` (one lockUsers call: ascending
 * key order), then reads the map again; throws IdentityMapMoved when any of them resolves otherwise now.
 */
export async function lockResolved(c: Client, schema: string, ids: readonly string[], before: Map<string, string>): Promise<void> {
  await lockUsers(c, schema, unique([...ids, ...ids.map((id) => before.get(id) ?? id)]));
  const after = await mergedIds(c, ids);
  for (const id of ids) if ((after.get(id) ?? id) !== (before.get(id) ?? id)) throw new IdentityMapMoved();
}

export function mergeIdentity(pool: pg.Pool, schema: string, merge: IdentityMerge, now: number): Promise<MergeResult> {
  return retryWhileMapMoves(() => transaction(pool, (c) => mergeIn(c, schema, merge, now), UNIT_BEGIN));
}

/**
 * $1 into, $2 from, $3 the passes that left. `from`'s messages and the waiting ones of those passes (a range of
 * the message key each, filtered outside it: a status test inside would let the planner read the index of every
 * waiting message instead), locked in id order; the waiting ones of the passes are cancelled, and all are
 * `into`'s. Returns the cancelled ones' counters.
 */
export const MERGE_MESSAGES = `
  WITH found AS MATERIALIZED (
    SELECT seq FROM messages WHERE user_id = $2
    UNION
    SELECT m.seq FROM unnest($3::text[]) AS left_pass(instance)
    CROSS JOIN LATERAL (SELECT seq, status FROM messages WHERE ${messagesOfInstance('left_pass.instance')} OFFSET 0) AS m
    WHERE m.status = 'pending'
  ),
  target AS MATERIALIZED (
    SELECT seq, (instance_id = ANY ($3::text[]) AND status = 'pending') AS cancel FROM messages
    WHERE seq = ANY (ARRAY(SELECT seq FROM found)) ORDER BY id FOR UPDATE
  ),
  rekeyed AS (
    UPDATE messages m SET user_id = $1,
      status = CASE WHEN t.cancel THEN 'skipped' ELSE m.status END,
      reason = CASE WHEN t.cancel THEN 'merged' ELSE m.reason END
    FROM target t WHERE m.seq = t.seq
    RETURNING m.journey_id, m.version, m.node_id, t.cancel
  )
  SELECT journey_id, version, node_id FROM rekeyed WHERE cancel`;

async function mergeIn(c: Client, schema: string, merge: IdentityMerge, now: number): Promise<MergeResult> {
  const before = await mergedIds(c, [merge.from, merge.into]);
  await lockResolved(c, schema, [merge.from, merge.into], before);
  const plan = planMerge(merge, before.get(merge.from) ?? merge.from, before.get(merge.into) ?? merge.into);
  if (plan.kind === 'noop') return plan.result;
  const { from, into } = plan;

  // Passes: the later of two in one journey leaves (written first: one live pass per journey and user).
  const { rows: liveRows } = await c.query({
    name: 'wm-merge-live',
    text: `SELECT user_id, ${INSTANCE_COLUMNS} FROM instances WHERE user_id = ANY ($1::text[]) AND ${LIVE} ORDER BY id FOR UPDATE`,
    values: [[from, into]],
  });
  const live = (user: string) => (liveRows as Row[]).filter((r) => r.user_id === user).map(toInstance);
  const { exited } = mergeInstances(live(from), live(into), into, now);
  const stats: StatDelta[] = exited.map((i) => ({ journeyId: i.journeyId, version: i.version, nodeId: '', metric: 'merged', count: 1 }));
  // Every pass that leaves was read above: its row has its entry event already.
  if (exited.length > 0) await applyChanges(c, new TraitNameCache(), { instances: exited, messages: [], stats: [] }, now, new Set(exited.map((i) => i.id)));
  // Live and exited apart: each through its own partial index (there is no index of all a user's instances).
  let instances = 0;
  for (const [name, part] of [['wm-merge-live-instances', LIVE], ['wm-merge-exited-instances', EXITED]] as const) {
    const { rowCount } = await c.query({ name, text: `UPDATE instances SET user_id = $1, state = jsonb_set(state::jsonb, '{userId}', to_jsonb($1::text))::json WHERE user_id = $2 AND ${part}`, values: [into, from] });
    instances += rowCount ?? 0;
  }

  // Messages: `from`'s and the waiting ones of the passes that left, locked in id order; the waiting ones are
  // cancelled, then `from`'s are `into`'s.
  const exitedIds = exited.map((i) => i.id);
  const { rows: cancelled } = await c.query({
    name: 'wm-merge-messages',
    text: MERGE_MESSAGES,
    values: [into, from, exitedIds],
  });
  for (const m of cancelled as Row[]) {
    const at = { journeyId: m.journey_id as string, version: m.version as number, nodeId: m.node_id as string, count: 1 };
    stats.push({ ...at, metric: 'node_skipped' }, { ...at, metric: 'node_skipped:merged' });
  }
  const { rowCount: events } = await c.query({ name: 'wm-merge-events', text: 'UPDATE events SET user_id = $1 WHERE user_id = $2', values: [into, from] });
  await addStats(c, stats);

  // Traits: `from`'s fill the ones `into` lacks; a trait `into` has is kept whole. Rows in user id order.
  const { rows: profiles } = await c.query({
    name: 'wm-merge-profiles',
    text: 'SELECT user_id, traits FROM profiles WHERE user_id = ANY ($1::text[]) ORDER BY user_id FOR UPDATE',
    values: [[from, into]],
  });
  const traitsOf = (user: string) => (profiles as Row[]).find((r) => r.user_id === user)?.traits as Record<string, unknown> | undefined;
  const fromTraits = traitsOf(from);
  if (fromTraits !== undefined) {
    await c.query({
      name: 'wm-merge-profile',
      text: `INSERT INTO profiles (user_id, traits, updated_at) VALUES ($1, $2::jsonb, $3)
             ON CONFLICT (user_id) DO UPDATE SET traits = excluded.traits, updated_at = excluded.updated_at`,
      values: [into, JSON.stringify({ ...fromTraits, ...traitsOf(into) }), now],
    });
    await c.query({ name: 'wm-merge-drop-profile', text: 'DELETE FROM profiles WHERE user_id = $1', values: [from] });
  }

  // The map, kept flat: ids merged into `from` before now resolve to `into` too.
  await c.query({ name: 'wm-merge-repoint', text: 'UPDATE identities SET user_id = $1 WHERE user_id = $2', values: [into, from] });
  await c.query({ name: 'wm-merge-map', text: 'INSERT INTO identities (alias_id, user_id, merged_at) VALUES ($1, $2, $3)', values: [from, into, now] });
  return { outcome: 'merged', userId: into, events: events ?? 0, instances, exited: exited.length };
}
