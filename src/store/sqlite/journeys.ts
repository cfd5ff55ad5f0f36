/** Journeys (a draft, a status, the newest version) and their immutable published versions. */
import type { JourneyDefinition } from '../../core/definition.ts';
import { decodeCursor, pageOf, type Page, type PageRequest } from '../pages.ts';
import type { JourneyRecord, JourneyStatus, JourneyVersion } from '../store.ts';
import type { Row } from '../rows.ts';
import type { Sql } from './connection.ts';
import { toJourney } from './sqlite-rows.ts';

const GET_JOURNEY = 'SELECT * FROM journeys WHERE id = ?';

export function createJourney(sql: Sql, j: { id: string; name: string; draft: JourneyDefinition; layout: JourneyRecord['layout'] }, now: number): JourneyRecord {
  sql.run(
    "INSERT INTO journeys (id, name, status, version, draft, layout, created_at, updated_at) VALUES (?, ?, 'draft', NULL, ?, ?, ?, ?)",
    j.id,
    j.name,
    JSON.stringify(j.draft),
    JSON.stringify(j.layout),
    now,
    now,
  );
  return getJourney(sql, j.id)!;
}

export function updateJourneyDraft(sql: Sql, id: string, draft: JourneyDefinition, layout: JourneyRecord['layout'] | undefined, now: number): JourneyRecord | null {
  const result = sql.run(
    'UPDATE journeys SET name = ?, draft = ?, layout = coalesce(?, layout), updated_at = ? WHERE id = ?',
    draft.name,
    JSON.stringify(draft),
    layout === undefined ? null : JSON.stringify(layout),
    now,
    id,
  );
  return result.changes === 0 ? null : getJourney(sql, id);
}

export function publishJourney(sql: Sql, id: string, now: number): JourneyVersion | null {
  return sql.transaction((): JourneyVersion | null => {
    const row = sql.get(GET_JOURNEY, id);
    if (!row) return null;
    const version = ((row.version as number | null) ?? 0) + 1;
    sql.run('INSERT INTO journey_versions (journey_id, version, definition, published_at) VALUES (?, ?, ?, ?)', id, version, row.draft, now);
    sql.run("UPDATE journeys SET version = ?, status = 'running', updated_at = ? WHERE id = ?", version, now, id);
    return { journeyId: id, version, definition: JSON.parse(row.draft as string), publishedAt: now };
  });
}

export function setJourneyStatus(sql: Sql, id: string, status: JourneyStatus, now: number): JourneyRecord | null {
  const result = sql.run('UPDATE journeys SET status = ?, updated_at = ? WHERE id = ?', status, now, id);
  return result.changes === 0 ? null : getJourney(sql, id);
}

export function getJourney(sql: Sql, id: string): JourneyRecord | null {
  const row = sql.get(GET_JOURNEY, id);
  return row ? toJourney(row) : null;
}

export function listJourneys(sql: Sql): JourneyRecord[] {
  return sql.all('SELECT * FROM journeys ORDER BY created_at, id').map(toJourney);
}

export function listVersions(sql: Sql, journeyId?: string): JourneyVersion[] {
  const rows = journeyId === undefined ? sql.all('SELECT * FROM journey_versions ORDER BY journey_id, version') : sql.all('SELECT * FROM journey_versions WHERE journey_id = ? ORDER BY version', journeyId);
  return rows.map(toVersion);
}

/** Keyset (created_at, id), through journeys_by_created. */
export function journeyPage(sql: Sql, page: PageRequest): Page<JourneyRecord> {
  const [createdAt, id] = page.cursor === undefined ? [Number.MIN_SAFE_INTEGER, ''] : decodeCursor(page.cursor, ['number', 'string']);
  const rows = sql.all('SELECT * FROM journeys WHERE (created_at, id) > (?, ?) ORDER BY created_at, id LIMIT ?', createdAt, id, page.limit + 1).map(toJourney);
  return pageOf(rows, page.limit, (j) => [j.createdAt, j.id]);
}

/** Keyset version, through the primary key. */
export function versionPage(sql: Sql, journeyId: string, page: PageRequest): Page<JourneyVersion> {
  const [after] = page.cursor === undefined ? [0] : decodeCursor(page.cursor, ['number']);
  const rows = sql.all('SELECT * FROM journey_versions WHERE journey_id = ? AND version > ? ORDER BY version LIMIT ?', journeyId, after, page.limit + 1).map(toVersion);
  return pageOf(rows, page.limit, (v) => [v.version]);
}

function toVersion(r: Row): JourneyVersion {
  return { journeyId: r.journey_id as string, version: r.version as number, definition: JSON.parse(r.definition as string), publishedAt: r.published_at as number };
}
