/** How `serve` picks its store: --database, --db, DATABASE_URL, the schema from ?schema= or WAYMARK_PG_SCHEMA. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { chooseDatabase } from '../../src/cli/commands/serve.ts';

const PG = 'postgres://app:secret@db.internal:5432/waymark';

test('a postgres:// or postgresql:// URL selects PostgreSQL; anything else is a SQLite file', () => {
  assert.deepEqual(chooseDatabase({ database: PG }, {}), { kind: 'postgres', url: PG, shown: 'postgres://app:***@db.internal:5432/waymark' });
  assert.equal(chooseDatabase({ database: 'postgresql://db/w' }, {}).kind, 'postgres');
  assert.equal(chooseDatabase({ database: 'POSTGRES://db/w' }, {}).kind, 'postgres');
  assert.deepEqual(chooseDatabase({ database: 'data/x.db' }, {}), { kind: 'sqlite', file: resolve('data/x.db') });
  assert.deepEqual(chooseDatabase({}, {}), { kind: 'sqlite', file: resolve('./data/waymark.db') });
});

test('--database, then --db, then DATABASE_URL; --db and --database together are refused', () => {
  assert.equal(chooseDatabase({}, { DATABASE_URL: PG }).kind, 'postgres');
  assert.deepEqual(chooseDatabase({ db: 'a.db' }, { DATABASE_URL: PG }), { kind: 'sqlite', file: resolve('a.db') });
  assert.equal((chooseDatabase({ database: PG }, { DATABASE_URL: 'postgres://other/db' }) as { url: string }).url, PG);
  assert.deepEqual(chooseDatabase({}, { DATABASE_URL: '' }), { kind: 'sqlite', file: resolve('./data/waymark.db') });
  assert.throws(() => chooseDatabase({ db: 'a.db', database: PG }, {}), /give either --db FILE \(SQLite\) or --database URL, not both/);
  // --db always means a file, even one named like a URL would be odd: it is never PostgreSQL.
  assert.equal(chooseDatabase({ db: 'postgres://x/y' }, {}).kind, 'sqlite');
});

test('the schema: ?schema= on the URL (taken out of it), else WAYMARK_PG_SCHEMA; a plain identifier only', () => {
  assert.deepEqual(chooseDatabase({ database: `${PG}?schema=tenant_7&sslmode=require` }, { WAYMARK_PG_SCHEMA: 'ignored' }), {
    kind: 'postgres',
    url: `${PG}?sslmode=require`,
    schema: 'tenant_7',
    shown: 'postgres://app:***@db.internal:5432/waymark?sslmode=require',
  });
  assert.equal((chooseDatabase({ database: PG }, { WAYMARK_PG_SCHEMA: 'from_env' }) as { schema?: string }).schema, 'from_env');
  assert.equal((chooseDatabase({ database: PG }, {}) as { schema?: string }).schema, undefined);
  assert.throws(() => chooseDatabase({ database: `${PG}?schema=a-b` }, {}), /the schema must be a plain identifier/);
  assert.throws(() => chooseDatabase({ database: 'postgres://[bad' }, {}), /cannot be parsed/);
});
