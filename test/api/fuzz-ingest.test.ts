/**
 * The ingestion endpoints under hostile input (fuzz-ingest.ts), on both stores: a few hundred requests, valid
 * ones interleaved, several clients at once. No answer is a 5xx or missing, no refused request stored
 * anything, every valid one was stored, and the server still serves afterwards. The long run is
 * bench/fuzz-ingest.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachStore } from '../helpers.ts';
import { FUZZ_PATHS, fuzzStream, problemsOf, sendAll } from './fuzz-ingest.ts';
import { startApi } from './helpers.ts';

const SEED = Number(process.env.WAYMARK_FUZZ_SEED ?? 4_122_026);

await forEachStore((store) => {
  const count = store === 'sqlite' ? 300 : 120;
  test(`${count} hostile and valid requests to every ingestion endpoint (seed ${SEED}): no 5xx, nothing half-stored, valid ones stored`, { timeout: 300_000 }, async () => {
    const api = await startApi({ store });
    const requests = fuzzStream(count, SEED);
    assert.deepEqual([...new Set(requests.map((r) => r.path))].sort(), [...FUZZ_PATHS].sort(), 'every endpoint is reached');
    assert.ok(requests.filter((r) => r.valid).length >= count / 10, 'valid traffic is interleaved');
    const answers = await sendAll(api.url, api.write, requests, 6);
    const problems = await problemsOf(answers, api.waymark.store);
    assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems; replay with WAYMARK_FUZZ_SEED=${SEED}`);
    const refused = answers.filter((a) => a.status >= 400).length;
    assert.ok(refused >= count / 3, `most spoiled requests are refused (${refused} of ${count})`);
    assert.equal((await api.call('GET', '/ready', { key: null })).status, 200);
  });
});
