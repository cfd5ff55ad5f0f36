/**
 * Journeys and their published versions: the draft a journey is edited as, and the immutable definitions
 * publishing makes of it, numbered one after another per journey.
 */
import type pg from 'pg';
import type { JourneyDefinition } from '../../core/definition.ts';
import { decodeCursor, pageOf, type Page, type PageRequest } from '../pages.ts';
import type { JourneyRecord, JourneyStatus, JourneyVersion } from '../store.ts';
import type { Row } from '../rows.ts';
import { transaction } from './connection.ts';
import { toJourney } from './pg-rows.ts';

const JOURNEY_COLUMNS = 'id, name, status, version, draft, layout, created_at, updated_at';

export async function createJourney(pool: pg.Pool, j: { id: string; name: string; draft: JourneyDefinition; layout: JourneyRecord['layout'] }, now: number): Promise<JourneyRecord> {
  const { rows } = await pool.query({
    name: 'wm-create-journey',
    text: `INSERT INTO journeys (id, name, status, version, draft, layout, created_at, updated_at) VALUES ($1, $2, 'draft', NULL, $3, $4, $5, $5) RETURNING ${JOURNEY_COLUMNS}`,
    values: [j.id, j.name, JSON.stringify(j.draft), JSON.stringify(j.layout), now],
  });
  return toJourney(rows[0]);
}

export async function updateJourneyDraft(pool: pg.Pool, id: string, draft: JourneyDefinition, layout: JourneyRecord['layout'] | undefined, now: number): Promise<JourneyRecord | null> {
  const { rows } = await pool.query({
    name: 'wm-update-draft',
    text: `UPDATE journeys SET name = $1, draft = $2, layout = coalesce($3, layout), updated_at = $4 WHERE id = $5 RETURNING ${JOURNEY_COLUMNS}`,
    values: [draft.name, JSON.stringify(draft), layout === undefined ? null : JSON.stringify(layout), now, id],
  });
  return rows[0] ? toJourney(rows[0]) : null;
}

export async function publishJourney(pool: pg.Pool, id: string, now: number): Promise<JourneyVersion | null> {
  return transaction(pool, async (c) => {
    // The row lock makes concurrent publishes of one journey take consecutive versions.
    const { rows } = await c.query({ name: 'wm-journey-for-publish', text: 'SELECT version, draft::text AS draft FROM journeys WHERE id = $1 FOR UPDATE', values: [id] });
    const row = rows[0] as Row | undefined;
    if (!row) return null;
    const version = ((row.version as number | null) ?? 0) + 1;
    await c.query({ name: 'wm-insert-version', text: 'INSERT INTO journey_versions (journey_id, version, definition, published_at) VALUES ($1, $2, $3, $4)', values: [id, version, row.draft, now] });
    await c.query({ name: 'wm-set-published', text: "UPDATE journeys SET version = $1, status = 'running', updated_at = $2 WHERE id = $3", values: [version, now, id] });
    return { journeyId: id, version, definition: JSON.parse(row.draft as string), publishedAt: now };
  });
}

export async function setJourneyStatus(pool: pg.Pool, id: string, status: JourneyStatus, now: number): Promise<JourneyRecord | null> {
  const { rows } = await pool.query({ name: 'wm-set-status', text: `UPDATE journeys SET status = $1, updated_at = $2 WHERE id = $3 RETURNING ${JOURNEY_COLUMNS}`, values: [status, now, id] });
  return rows[0] ? toJourney(rows[0]) : null;
}

export async function getJourney(pool: pg.Pool, id: string): Promise<JourneyRecord | null> {
  const { rows } = await pool.query({ name: 'wm-journey', text: `SELECT ${JOURNEY_COLUMNS} FROM journeys WHERE id = $1`, values: [id] });
  return rows[0] ? toJourney(rows[0]) : null;
}

export async function listJourneys(pool: pg.Pool): Promise<JourneyRecord[]> {
  const { rows } = await pool.query({ name: 'wm-journeys', text: `SELECT ${JOURNEY_COLUMNS} FROM journeys ORDER BY created_at, id` });
  return rows.map(toJourney);
}

export async function listVersions(pool: pg.Pool, journeyId?: string): Promise<JourneyVersion[]> {
  const { rows } =
    journeyId === undefined
      ? await pool.query({ name: 'wm-versions', text: 'SELECT journey_id, version, definition, published_at FROM journey_versions ORDER BY journey_id, version' })
      : await pool.query({ name: 'wm-versions-of', text: 'SELECT journey_id, version, definition, published_at FROM journey_versions WHERE journey_id = $1 ORDER BY version', values: [journeyId] });
  return rows.map((r: Row) => ({ journeyId: r.journey_id as string, version: r.version as number, definition: r.definition as JourneyDefinition, publishedAt: r.published_at as number }));
}

/** Keyset (created_at, id), through journeys_by_created. */
export async function journeyPage(pool: pg.Pool, page: PageRequest): Promise<Page<JourneyRecord>> {
  const [createdAt, id] = page.cursor === undefined ? [Number.MIN_SAFE_INTEGER, ''] : decodeCursor(page.cursor, ['number', 'string']);
  const { rows } = await pool.query({
    name: 'wm-journey-page',
    text: `SELECT ${JOURNEY_COLUMNS} FROM journeys WHERE (created_at, id) > ($1::bigint, $2::text) ORDER BY created_at, id LIMIT $3`,
    values: [createdAt, id, page.limit + 1],
  });
  return pageOf((rows as Row[]).map(toJourney), page.limit, (j) => [j.createdAt, j.id]);
}

/** Keyset version, through the primary key. */
export async function versionPage(pool: pg.Pool, journeyId: string, page: PageRequest): Promise<Page<JourneyVersion>> {
  const [after] = page.cursor === undefined ? [0] : decodeCursor(page.cursor, ['number']);
  const { rows } = await pool.query({
    name: 'wm-version-page',
    text: 'SELECT journey_id, version, definition, published_at FROM journey_versions WHERE journey_id = $1 AND version > $2 ORDER BY version LIMIT $3',
    values: [journeyId, after, page.limit + 1],
  });
  const versions = (rows as Row[]).map((r) => ({ journeyId: r.journey_id as string, version: r.version as number, definition: r.definition as JourneyDefinition, publishedAt: r.published_at as number }));
  return pageOf(versions, page.limit, (v) => [v.version]);
}
