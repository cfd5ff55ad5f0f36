/**
 * The events a unit may read back for a set of journeys (engine/catalog.ts, eventsReadBack): what a store
 * keeping only those must keep (a simulation's). Each example journey reads back through another path.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compileJourney, type CompiledJourney } from '../../src/core/validate.ts';
import { eventsReadBack } from '../../src/engine/catalog.ts';

function example(name: string): CompiledJourney {
  const compiled = compileJourney(JSON.parse(readFileSync(new URL(`../../examples/${name}.json`, import.meta.url), 'utf8')));
  assert.ok(compiled.ok, name);
  return compiled.journey;
}

const names = (journeys: string[]) => [...eventsReadBack(journeys.map(example))].sort();

test('each path by which a unit reads events back names them', () => {
  assert.deepEqual(names(['abandoned-cart']), ['Charged'], 'a goal, and the inaction it waits out: not the entry event');
  assert.deepEqual(names(['onboarding']), ['Charged', 'Completed Profile'], 'a goal, and a wait for an event');
  assert.deepEqual(names(['birthday-offer']), ['Charged', 'Viewed Product'], "a goal, and a split on the user's history");
  assert.deepEqual(names(['weekly-reengagement']), ['App Opened', 'Signed Up'], 'a goal, and the events a scheduled segment counts');
});

test('several journeys read back what each of them does', () => {
  assert.deepEqual(names(['abandoned-cart', 'weekly-reengagement']), ['App Opened', 'Charged', 'Signed Up']);
  assert.deepEqual(names([]), []);
});
