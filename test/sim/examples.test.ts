/** Every journey in examples/ validates and runs through the simulator without errors. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { eventNeeds } from '../../src/core/segment.ts';
import { ENTER_EVENT, compileJourney, type CompiledJourney } from '../../src/core/validate.ts';
import { simulate } from '../../src/sim/simulate.ts';
import { ROOT, tempDir } from '../helpers.ts';

const MIN = 60_000;
const DAY = 86_400_000;
const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.json')).sort();

test('examples/ holds the journeys the docs promise', () => {
  const promised = ['abandoned-cart', 'abandoned-cart-quiet-hours', 'onboarding', 'win-back', 'renewal-reminder', 'birthday-offer', 'weekly-reengagement'];
  for (const name of promised) assert.ok(files.includes(`${name}.json`), name);
});

/** Event names a journey's segment conditions ask about (a scheduled entry's segment, splits). */
function conditionEvents(journey: CompiledJourney): string[] {
  const trigger = journey.entry.trigger;
  const conditions = [...(trigger.type === 'segment' ? [trigger.segment] : []), ...[...journey.nodes.values()].flatMap((n) => (n.kind === 'split' && n.condition ? [n.condition] : []))];
  return [...new Set(conditions.flatMap((c) => eventNeeds(c, 0).names))];
}

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
    const scheduled = journey.entry.event === ENTER_EVENT;
    // Live entries: everyone does the entry event. Scheduled ones enter from their profiles and history.
    if (!scheduled) users.forEach((userId, i) => events.push({ at: i * 1_000, userId, event: journey.entry.event, properties: { productName: 'Shoes', price: 50, currency: 'EUR', plan: 'pro' } }));
    // History the conditions ask about: event k is done (three times) by the users whose bit k is set, so every mix occurs.
    conditionEvents(journey).forEach((event, k) => {
      users.forEach((userId, i) => {
        if ((i >> k) % 2 === 1) for (let r = 0; r < 3; r++) events.push({ at: i * 1_000 + r, userId, event, properties: {} });
      });
    });
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
    // Dates inside the simulated weeks (it starts on 2026-01-01), for date-property entries and delays.
    const dates = { renewal_date: '2026-01-12', birthday: '1990-01-05' };
    writeFileSync(
      profilesFile,
      users
        .map((userId, i) =>
          JSON.stringify({ userId, name: `U${i}`, email: `${userId}@example.test`, phone: '+15550000', pushToken: `tok-${i}`, plan: i % 3 === 0 ? 'pro' : 'basic', timezone: 'Europe/Lisbon', ...dates }),
        )
        .join('\n') + '\n',
    );
    const until = scheduled ? { until: '2026-02-10T00:00:00Z' } : {};
    const result = await simulate({ journey: join(ROOT, 'examples', file), events: eventsFile, profiles: profilesFile, out: join(dir, 'out'), ...until });
    assert.equal(result.events, events.length);
    assert.ok((result.stats.totals.entered ?? 0) > 0, `${file}: someone entered: ${JSON.stringify(result.stats.totals)}`);
    assert.ok(result.sentTotal > 0, `${file}: something was sent`);
    assert.equal(result.failed, 0);
    // Every branch of every branching node was taken by someone: the generated events exercise them all.
    for (const node of journey.nodes.values()) {
      if (node.kind !== 'wait' && node.kind !== 'abSplit' && node.kind !== 'split') continue;
      for (const target of journey.next.get(node.id)!.values()) {
        if (journey.nodes.get(target)?.kind === 'exit') continue;
        assert.ok((result.stats.nodes.find((n) => n.nodeId === target)?.entered ?? 0) > 0, `${file}: nobody reached ${target} from ${node.id}: ${JSON.stringify(result.stats.nodes)}`);
      }
    }
    assert.ok(Date.parse(result.endTime) - Date.parse(result.startTime) < 60 * DAY, 'every timer fired and the run ended');
  });
}
