/** The registry of projects (migration 014): names only; each project's data is a schema of its own. */
import type pg from 'pg';
import type { ProjectRecord } from '../store.ts';
import type { Row } from '../rows.ts';

const toRecord = (r: Row): ProjectRecord => ({ id: r.id as string, name: r.name as string, createdAt: Number(r.created_at) });

export async function listProjects(pool: pg.Pool): Promise<ProjectRecord[]> {
  const { rows } = await pool.query('SELECT id, name, created_at FROM projects ORDER BY created_at, id');
  return rows.map(toRecord);
}

/** false (and nothing stored) when the id is taken. */
export async function addProject(pool: pg.Pool, project: ProjectRecord): Promise<boolean> {
  const { rowCount } = await pool.query('INSERT INTO projects (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [project.id, project.name, project.createdAt]);
  return rowCount === 1;
}
