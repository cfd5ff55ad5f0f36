/** Every journey in examples/ validates and runs through the simulator without errors. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileJourney } from '../../src/core/validate.ts';
import { simulate } from '../../src/sim/simulate.ts';
import { ROOT, tempDir } from '../helpers.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json')).sort();

test('examples/ holds the journeys the docs promise', () => {
  for (const name of ['abandoned-cart.json', 'abandoned-cart-quiet-hours.json', 'onboarding.json', 'win-back.json']) assert.ok(files.includes(name), name);
});

for (const file of files) {
  test(`examples/${file} validates and simulates`, async () => {
    const compiled = compileJourney(JSON.parse(readFileSync(join(ROOT, 'examples', file), 'utf8')));
    assert.ok(compiled.ok, JSON.stringify(!compiled.ok && compiled.problems));
    const journey = compiled.journey;
    // A tiny generated workload: 30 users enter; every other one later does each event the journey watches.
    const waitedFor = [...journey.nodes.values()].flatMap((n) => (n.kind === 'wait' ? [n.event] : []));
    const goals = journey.goals.map((g) => g.event);
    const events: Array<{ at: number; userId: string; event: string; properties: Record<string, unknown> }> = [];
    const users = Array.from({ length: 30 }, (_, i) => `user-${i}`);
    users.forEach((userId, i) => events.push({ at: i * 1_000, userId, event: journey.entry.event, properties: { productName: 'Shoes', price: 50, currency: 'EUR', plan: 'pro' } }));
    users.forEach((userId, i) => {
      if (i % 2 !== 0) return;
      waitedFor.forEach((event, k) => events.push({ at: 10 * MIN + k, userId, event, properties: {} }));
      if (i % 4 === 0) goals.forEach((event, k) => events.push({ at: 3 * DAY + k, userId, event, properties: {} }));
    });
    events.sort((a, b) => a.at - b.at);
    const dir = tempDir();
    const eventsFile = join(dir, 'events.ndjson');
    const profilesFile = join(dir, 'profiles.ndjson');
    writeFileSync(eventsFile, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
    writeFileSync(profilesFile, users.map((userId, i) => JSON.stringify({ userId, name: `U${i}`, email: `${userId}@example.test`, phone: '+15550000', pushToken: `tok-${i}`, plan: i % 3 === 0 ? 'pro' : 'basic', timezone: 'Europe/Lisbon' })).join('\n') + '\n');
    const result = await simulate({ journey: join(ROOT, 'examples', file), events: eventsFile, profiles: profilesFile, out: join(dir, 'out') });
    assert.equal(result.events, events.length);
    assert.ok(result.sentTotal > 0, `${file}: something was sent`);
    assert.equal(result.failed, 0);
    // Every branch of every branching node was taken by someone: the generated events exercise them all.
    for (const node of journey.nodes.values()) {
      if (node.kind !== 'wait' && node.kind !== 'abSplit' && node.kind !== 'split') continue;
      for (const target of journey.next.get(node.id)!.values()) {
        if (journey.nodes.get(target)?.kind === 'exit') continue;
        assert.ok((result.stats.nodes[target]?.node_entered ?? 0) > 0, `${file}: nobody reached ${target} from ${node.id}: ${JSON.stringify(result.stats.nodes)}`);
      }
    }
    assert.ok(Date.parse(result.endTime) - Date.parse(result.startTime) < 60 * DAY, 'every timer fired and the run ended');
  });
}
