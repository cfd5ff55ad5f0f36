/**
 * The commit of a unit of work's Changes, in the caller's transaction: one multi-row statement per table
 * (unnest over array parameters, the documents as one json array: pg-rows.ts, jsonArray) whatever the batch
 * size. Rows that other units of work may write too are taken in a fixed order, so waits cannot form a cycle:
 * follow-up inbox ids in message-id order, stats counters (the only hot rows) sorted by key, then profiles, and
 * new trait names (in name order) last.
 */
import type { Instance } from '../../core/instance.ts';
import type { Changes, NewMessage, ProfileUpsert, StatDelta } from '../store.ts';
import { exitedAt } from '../rows.ts';
import type { TraitNameCache } from '../trait-names.ts';
import type { Client } from './connection.ts';
import { compare } from './locks.ts';
import { firstByMessageId, instanceState, jsonArray, sqlNull } from './pg-rows.ts';

/**
 * Writes a unit of work's changes with one statement per table; returns the trait names it recorded. `stored`:
 * the ids of the instances the unit read from the store, which exist: their entry event is not sent again.
 */
export async function applyChanges(c: Client, traitNames: TraitNameCache, changes: Changes, now: number, stored: ReadonlySet<string>): Promise<string[]> {
  const instances = lastById(changes.instances);
  if (instances.length > 0) {
    // In the order decide gave: an instance that exits is written before the one that replaces it. A pass that
    // is over was last changed when it exited, and the API lists it by that (reads.ts), as on SQLite. The entry
    // event goes with an instance the unit did not read, which may be new, and is kept by the update (a row
    // written before migration 023 has it in its state: the update moves it to its column).
    await c.query({
      name: 'wm-upsert-instances',
      text: `INSERT INTO instances (id, journey_id, version, user_id, status, wake_at, entered_at, exited_at, node_id, entry, state, updated_at)
             SELECT id, j, v, u, s, w, e, x, n, ${sqlNull('en')}, ${sqlNull('st')}, coalesce(x, $12)
             FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::int[]), unnest($4::text[]), unnest($5::text[]), unnest($6::bigint[]),
               unnest($7::bigint[]), unnest($8::bigint[]), unnest($9::text[]), json_array_elements($10::json), json_array_elements($11::json))
               AS i(id, j, v, u, s, w, e, x, n, en, st)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, wake_at = excluded.wake_at, entered_at = excluded.entered_at,
               exited_at = excluded.exited_at, node_id = excluded.node_id, state = excluded.state, updated_at = excluded.updated_at,
               entry = coalesce(instances.entry, excluded.entry, instances.state -> 'entryEvent')`,
      values: [
        instances.map((i) => i.id),
        instances.map((i) => i.journeyId),
        instances.map((i) => i.version),
        instances.map((i) => i.userId),
        instances.map((i) => i.status),
        instances.map((i) => i.wakeAt),
        instances.map((i) => i.enteredAt),
        instances.map(exitedAt),
        instances.map((i) => i.nodeId),
        jsonArray(instances.map((i) => (stored.has(i.id) ? null : i.entryEvent))),
        jsonArray(instances.map(instanceState)),
        now,
      ],
    });
  }
  const messages = firstById(changes.messages);
  if (messages.length > 0) {
    // In the order decide gave, which is the order of seq.
    await c.query({
      name: 'wm-insert-messages',
      text: `INSERT INTO messages (id, journey_id, version, instance_id, node_id, user_id, channel, status, reason, content, created_at, sent_at)
             SELECT id, j, v, i, n, u, ch, s, r, ${sqlNull('co')}, ca, sa
             FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::int[]), unnest($4::text[]), unnest($5::text[]), unnest($6::text[]),
               unnest($7::text[]), unnest($8::text[]), unnest($9::text[]), json_array_elements($10::json), unnest($11::bigint[]), unnest($12::bigint[]))
               AS m(id, j, v, i, n, u, ch, s, r, co, ca, sa)
             ON CONFLICT (id) DO NOTHING`,
      values: [
        messages.map((m) => m.id),
        messages.map((m) => m.journeyId),
        messages.map((m) => m.version),
        messages.map((m) => m.instanceId),
        messages.map((m) => m.nodeId),
        messages.map((m) => m.userId),
        messages.map((m) => m.channel),
        messages.map((m) => m.status),
        messages.map((m) => m.reason),
        jsonArray(messages.map((m) => m.content)),
        messages.map((m) => m.createdAt),
        messages.map((m) => m.sentAt),
      ],
    });
  }
  const followUps = firstByMessageId(changes.followUps ?? []);
  if (followUps.length > 0) {
    // seq (the drain order) follows the order given; the ids are inserted in message-id order, so two units
    // adding the same ids never wait on each other's uncommitted ones in opposite orders. An id already in
    // the inbox is left as it is (a row a drain has claimed but not yet deleted is only locked: no wait).
    await c.query({
      name: 'wm-insert-inbox',
      text: `WITH input AS (
               SELECT * FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), unnest($3::text[]), unnest($4::bigint[]), json_array_elements($5::json))
                 WITH ORDINALITY AS e(m, u, n, t, p, ord)
             ),
             numbered AS MATERIALIZED (
               SELECT input.*, nextval('inbox_seq_seq') AS seq FROM input ORDER BY ord
             )
             INSERT INTO inbox (seq, message_id, user_id, name, ts, properties, created_at)
             SELECT seq, m, u, n, t, ${sqlNull('p')}, $6 FROM numbered ORDER BY m COLLATE "C"
             ON CONFLICT (message_id) DO NOTHING`,
      values: [
        followUps.map((e) => e.messageId),
        followUps.map((e) => e.userId),
        followUps.map((e) => e.name),
        followUps.map((e) => e.timestamp),
        jsonArray(followUps.map((e) => e.properties)),
        now,
      ],
    });
  }
  await addStats(c, changes.stats);
  if (!changes.profiles || changes.profiles.length === 0) return [];
  return writeProfileChanges(c, traitNames, changes.profiles, now);
}

/**
 * Merges trait patches into profiles, then records their new trait names, in the caller's transaction; returns
 * those names, to remember once it commits.
 */
export async function writeProfileChanges(c: Client, traitNames: TraitNameCache, profiles: ProfileUpsert[], now: number): Promise<string[]> {
  await writeProfiles(c, profiles, now);
  return recordTraitNames(c, traitNames, profiles);
}

/**
 * Records the trait names of these patches this process has not seen, in the caller's transaction; returns
 * them, to remember once it commits. In name order ("C"), last in every transaction that writes profiles,
 * so two transactions inserting the same new names never wait for each other in a cycle.
 */
async function recordTraitNames(c: Client, traitNames: TraitNameCache, profiles: ProfileUpsert[]): Promise<string[]> {
  const names = traitNames.unknown(profiles);
  if (names.length > 0) {
    await c.query({
      name: 'wm-insert-trait-names',
      text: 'INSERT INTO trait_names (name) SELECT n FROM unnest($1::text[]) AS n ORDER BY n COLLATE "C" ON CONFLICT (name) DO NOTHING',
      values: [names],
    });
  }
  return names;
}

/** Merges trait patches into profiles, batched: one statement per round (a user patched twice needs two). */
async function writeProfiles(c: Client, profiles: ProfileUpsert[], now: number): Promise<void> {
  // One statement cannot upsert a row twice: a user given twice gets a second round, applied in order.
  const rounds: ProfileUpsert[][] = [];
  const seen = new Map<string, number>();
  for (const p of profiles) {
    const round = seen.get(p.userId) ?? 0;
    seen.set(p.userId, round + 1);
    (rounds[round] ??= []).push(p);
  }
  for (const round of rounds) {
    // The patches travel as one jsonb object keyed by user id: the insert reads it in key order (the same
    // in every process, so concurrent upserts lock rows in one order), and the update looks up the raw
    // patch by key, since `excluded` only has the inserted (null-free) value.
    const patches: Record<string, Record<string, unknown>> = Object.create(null); // a user id may be "__proto__"
    for (const p of round) patches[p.userId] = p.traits;
    await c.query({
      name: 'wm-upsert-profiles',
      text: `INSERT INTO profiles (user_id, traits, updated_at)
             SELECT p.key, waymark_merge_patch('{}'::jsonb, p.value), $2 FROM jsonb_each($1::jsonb) AS p
             ON CONFLICT (user_id) DO UPDATE SET traits = waymark_merge_patch(profiles.traits, $1::jsonb -> excluded.user_id), updated_at = excluded.updated_at`,
      values: [JSON.stringify(patches), now],
    });
  }
}

/**
 * Adds counters: summed per key, written in key order so concurrent units of work lock the (hot) counter
 * rows in the same order.
 */
export async function addStats(c: Client, deltas: StatDelta[]): Promise<void> {
  const sums = new Map<string, StatDelta>();
  for (const d of deltas) {
    if (d.count === 0) continue;
    const key = `${d.journeyId}\u0000${d.version}\u0000${d.nodeId}\u0000${d.metric}`;
    const known = sums.get(key);
    if (known) known.count += d.count;
    else sums.set(key, { ...d });
  }
  if (sums.size === 0) return;
  const list = [...sums.values()].sort((a, b) => compare(a.journeyId, b.journeyId) || a.version - b.version || compare(a.nodeId, b.nodeId) || compare(a.metric, b.metric));
  await c.query({
    name: 'wm-add-stats',
    text: `INSERT INTO stats (journey_id, version, node_id, metric, count)
           SELECT j, v, n, m, c FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::bigint[]) AS d(j, v, n, m, c)
           ON CONFLICT (journey_id, version, node_id, metric) DO UPDATE SET count = stats.count + excluded.count`,
    values: [list.map((d) => d.journeyId), list.map((d) => d.version), list.map((d) => d.nodeId), list.map((d) => d.metric), list.map((d) => d.count)],
  });
}

/** One row per instance: its last state, at its first position (decide's ChangeSet never repeats one). */
function lastById(instances: Instance[]): Instance[] {
  const byId = new Map<string, Instance>();
  for (const i of instances) byId.set(i.id, i);
  return [...byId.values()];
}

function firstById(messages: NewMessage[]): NewMessage[] {
  const byId = new Map<string, NewMessage>();
  for (const m of messages) if (!byId.has(m.id)) byId.set(m.id, m);
  return [...byId.values()];
}
