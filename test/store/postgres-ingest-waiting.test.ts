/**
 * What each process says it has queued (Store.setIngestWaiting) and what the others read of it
 * (ingestWaitingElsewhere), on PostgreSQL, the store processes share. SQLite says nothing: one process a file.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { testSchema, withPostgres } from './postgres-fixture.ts';

await withPostgres('ingest waiting', () => {
  test("a process reads the earliest of the others' oldest queued calls, not its own, and only what was said lately", async () => {
    const schema = testSchema();
    const [a, b] = [await schema.open(), await schema.open()];
    after(async () => {
      await a.close();
      await b.close();
      await schema.drop();
    });
    assert.equal(await a.ingestWaitingElsewhere('a', 0), null);
    await a.setIngestWaiting('a', 1_000, 1_010);
    await b.setIngestWaiting('b', 1_500, 1_510);
    await a.setIngestWaiting('c', 900, 950);
    assert.equal(await a.ingestWaitingElsewhere('a', 0), 900);
    assert.equal(await a.ingestWaitingElsewhere('a', 1_000), 1_500, "c's word is older than the freshness asked for");
    assert.equal(await b.ingestWaitingElsewhere('b', 1_000), 1_000);
    await a.setIngestWaiting('a', 1_200, 1_210); // its oldest call committed: the next one's moment
    assert.equal(await b.ingestWaitingElsewhere('b', 1_000), 1_200);
    await a.setIngestWaiting('a', null, 1_300); // nothing queued: its row goes
    assert.equal(await b.ingestWaitingElsewhere('b', 1_000), null);
    assert.deepEqual(await schema.query('SELECT process_id FROM ingest_waiting ORDER BY process_id'), [{ process_id: 'b' }, { process_id: 'c' }]);
  });
});
