/**
 * The dashboard's message log reads a bounded stretch of one index, whatever the filters: the user's range
 * through messages_by_user, the journey's through messages_by_journey, the whole log through its key, and
 * looks at no more than the scan limit of it. SQLite's plans are fixed by the statements, so their shape is
 * checked; PostgreSQL plans by statistics, so there the rows actually read are counted (EXPLAIN ANALYZE) on
 * a log where the user and the journey hold thousands of messages, far more than the scan limit.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { messageLogStatement } from '../../src/store/postgres/message-log.ts';
import { messageLogStatements, type Range } from '../../src/store/sqlite/message-log.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { NewMessage } from '../../src/store/store.ts';
import { tempDir } from '../helpers.ts';
import { testSchema, withPostgres } from './postgres-fixture.ts';

const RANGES: Range[] = ['user', 'journey', 'all'];
const INDEX: Record<Range, string> = { user: 'INDEX messages_by_user (user_id=?', journey: 'INDEX messages_by_journey (journey_id=?', all: 'INTEGER PRIMARY KEY (rowid' };

describe('SQLite', () => {
  test('the message log reads its range through its index only, in index order, both ways round', () => {
    const store = new SqliteStore(join(tempDir(), 'plans.db'));
    try {
      const params = { userId: 'u', journeyId: 'j', nodeId: 'n', status: 'sent', channel: 'push', from: 0, skip: 9, rows: 10, horizon: 5 };
      for (const range of RANGES) {
        for (const newest of [false, true]) {
          for (const sql of Object.values(messageLogStatements(range, newest))) {
            const details = (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as Array<{ detail: string }>).map((r) => r.detail);
            assert.equal(details.length, 1, details.join('\n'));
            assert.ok(details[0]!.startsWith('SEARCH messages USING') && details[0]!.includes(INDEX[range]), `${range} ${newest}: ${details[0]}`);
          }
        }
      }
    } finally {
      void store.close();
    }
  });
});

await withPostgres('PostgreSQL', () => {
  test('the message log reads at most its scan limit of its range (and a probe per message looked at), counted by EXPLAIN ANALYZE', async () => {
    const schema = testSchema();
    const store = await schema.open();
    try {
      // 30,000 messages, none failed: the last 9,000 are journey big's, the first 9,000 user heavy's. Each is
      // near a third of the log, so a plan could walk the log's key and filter, expecting one of them in
      // three; at the far end of the log, such a walk reads 21,000 others first (oldest first for big, newest
      // first for heavy). See message-log.ts for when PostgreSQL does.
      const messages: NewMessage[] = Array.from({ length: 30_000 }, (_, i) => ({
        id: `m${i}`, journeyId: i >= 21_000 ? 'big' : `j${i % 7}`, version: 1, instanceId: `i${i}`, nodeId: `n${i % 5}`, userId: i < 9_000 ? 'heavy' : `u${i % 101}`,
        channel: 'push', status: 'sent', reason: null, content: { body: 'hi' }, createdAt: 1, sentAt: 2,
      }));
      for (let i = 0; i < messages.length; i += 5_000) {
        await store.ingestEvents([{ messageId: `seed-${i}`, userId: 'heavy', name: 'Seed', timestamp: 1, properties: {} }], 1, () => ({ instances: [], messages: messages.slice(i, i + 5_000), stats: [] }));
      }
      await schema.query('ANALYZE messages');
      const scanLimit = 3_000;
      for (const range of RANGES) {
        for (const newest of [false, true]) {
          const values = [range === 'user' ? 'heavy' : null, range === 'journey' ? 'big' : null, null, 'failed', null, newest ? Number.MAX_SAFE_INTEGER : 0, scanLimit - 1, 51];
          const [row] = await schema.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${messageLogStatement(range, newest)}`, values);
          const read = { rows: 0, scans: [] as string[] };
          const walk = (node: PlanNode) => {
            if (node['Relation Name'] === 'messages') {
              read.rows += node['Actual Rows'] * node['Actual Loops'];
              read.scans.push(`${node['Node Type']} ${node['Index Name'] ?? ''}`.trim());
            }
            for (const child of node.Plans ?? []) walk(child);
          };
          walk(row!['QUERY PLAN'][0]!.Plan);
          // The horizon's walk, the messages' walk, and one probe by key for each message looked at.
          assert.ok(read.rows <= 3 * scanLimit, `${range} ${newest}: ${read.rows} rows read by ${read.scans.join(', ')}`);
          assert.ok(!read.scans.some((s) => s.startsWith('Seq Scan') || s.startsWith('Bitmap')), `${range} ${newest}: ${read.scans.join(', ')}`);
        }
      }
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}
