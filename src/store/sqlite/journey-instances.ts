/** A journey's live instances as a whole: stopping them all, and moving them to a newer version. */
import type { Instance } from '../../core/instance.ts';
import type { Row } from '../rows.ts';
import { addStat, writeInstance } from './apply-changes.ts';
import type { Sql } from './connection.ts';
import { INSTANCE_COLUMNS, LIVE, toInstance } from './sqlite-rows.ts';

/** Live instances looked at per transaction when moving a journey's instances to a new version. */
const MOVE_BATCH = 2_000;

export function stopInstances(sql: Sql, journeyId: string, now: number): number {
  return sql.transaction((): number => {
    const live = sql.raw(`SELECT ${INSTANCE_COLUMNS} FROM instances WHERE journey_id = ? AND ${LIVE}`, journeyId).map(toInstance);
    const counts = new Map<number, number>();
    for (const i of live) {
      const stopped: Instance = { ...i, status: 'exited', wakeAt: null, nodeUntil: null, exit: { reason: 'stopped', at: now, nodeId: i.nodeId } };
      writeInstance(sql, stopped, now);
      counts.set(i.version, (counts.get(i.version) ?? 0) + 1);
    }
    for (const [version, count] of counts) addStat(sql, journeyId, version, '', 'stopped', count);
    return live.length;
  });
}

/**
 * In pages of the journey's live instances in rowid order (instances_live_by_journey), one transaction each (units
 * of work go on in between; each instance is moved whole or not at all). Only the version changes: node,
 * timers and the rest of the state stay. Moved: those on another version at no node or at one of the nodes
 * given.
 */
export async function moveInstances(sql: Sql, journeyId: string, toVersion: number, nodeIds: readonly string[], now: number): Promise<number> {
  const nodes = JSON.stringify([...nodeIds]);
  let moved = 0;
  let after = 0;
  for (;;) {
    const page = sql.transaction((): Row[] => {
      const rows = sql.all(`SELECT rowid, id FROM instances WHERE journey_id = ? AND ${LIVE} AND rowid > ? ORDER BY rowid LIMIT ?`, journeyId, after, MOVE_BATCH);
      if (rows.length > 0) {
        moved += sql.run(
          `UPDATE instances SET version = @version, updated_at = @now
           WHERE id IN (SELECT value FROM json_each(@ids)) AND ${LIVE} AND version <> @version
             AND (node_id IS NULL OR node_id IN (SELECT value FROM json_each(@nodes)))`,
          { ids: JSON.stringify(rows.map((r) => r.id)), version: toVersion, nodes, now },
        ).changes;
      }
      return rows;
    });
    if (page.length < MOVE_BATCH) return moved;
    after = page[page.length - 1]!.rowid as number;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
