/** The registry of projects (migration 014): names only; each project's data is a database of its own. */
import type { ProjectRecord } from '../store.ts';
import type { Row } from '../rows.ts';
import type { Sql } from './connection.ts';

const toRecord = (r: Row): ProjectRecord => ({ id: r.id as string, name: r.name as string, createdAt: r.created_at as number });

export function listProjects(sql: Sql): ProjectRecord[] {
  return sql.all('SELECT id, name, created_at FROM projects ORDER BY created_at, id').map(toRecord);
}

/** false (and nothing stored) when the id is taken. */
export function addProject(sql: Sql, project: ProjectRecord): boolean {
  return sql.run('INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING', project.id, project.name, project.createdAt).changes === 1;
}
