import assert from 'node:assert/strict';
import { test } from 'node:test';
import { example } from '../helpers.ts';
import { startApi } from './helpers.ts';

test('branching journeys over HTTP: valid examples pass, branch problems come back with their paths, the schema is served', async () => {
  const api = await startApi();
  for (const name of ['onboarding', 'win-back']) {
    const checked = await api.call('POST', '/v1/journeys/validate', { body: { definition: example(name) } });
    assert.deepEqual([checked.status, checked.body.valid], [200, true], JSON.stringify(checked.body));
  }
  const broken = example('win-back');
  (broken.nodes[1] as { variants: unknown }).variants = [{ name: 'discount', percent: 60 }, { name: 'whats-new', percent: 60 }];
  broken.edges.push({ from: 'was-paying-more', to: 'done', branch: 'maybe' });
  const created = await api.call('POST', '/v1/journeys', { body: { id: 'wb', definition: broken } });
  assert.equal(created.status, 400);
  assert.deepEqual(
    created.body.problems.map((p: { path: string; message: string }) => `${p.path} ${p.message}`).sort(),
    [
      '/definition/edges/9/branch split node "was-paying-more" has no branch "maybe"; its branches are "yes", "no"',
      '/definition/nodes/1/variants variant percentages add up to 120; they must add up to 100',
    ],
  );
  const openapi = JSON.stringify((await api.call('GET', '/openapi.json')).body);
  for (const kind of ['wait', 'split', 'abSplit', 'updateProfile']) assert.ok(openapi.includes(`"enum":["${kind}"]`), kind);
});
