/**
 * POST /v1/journeys/validate answers what publishing would find as well as what saving would refuse, so an
 * editor can show both while one draws: `checks`, each with its path under /definition and a severity.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JourneyDefinition } from '../../src/core/definition.ts';
import { forEachStore } from '../helpers.ts';
import { path } from '../journeys.ts';
import { startApi } from './helpers.ts';

/** Signed Up -> delay until 22:00 -> SMS (a template reading "Profil") -> exit, DND 21:00-09:00 skipping. */
function lateText(): JourneyDefinition {
  return path(
    'Late text',
    [
      { id: 'start', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'evening', kind: 'delay', untilTime: '22:00' },
      { id: 'text', kind: 'send', channel: 'sms', message: { body: 'Hi {{ Profil.name }}' } },
      { id: 'done', kind: 'exit' },
    ],
    { setup: { timezone: 'UTC', dnd: { start: '21:00', end: '09:00', whenInDnd: 'skip' } }, goals: [{ id: 'again', event: 'Signed Up' }] },
  );
}

await forEachStore((store) => {
  test('validate: a valid definition gets the publish checks, errors first, each with its severity', async () => {
    const api = await startApi({ store });
    const checked = await api.call('POST', '/v1/journeys/validate', { body: { definition: lateText() } });
    assert.equal(checked.status, 200);
    assert.deepEqual(checked.body, {
      valid: true,
      problems: [],
      checks: [
        {
          path: '/definition/goals/0/event',
          severity: 'error',
          message:
            'goal "again" is the entry event "Signed Up" with no filters: every user has done it just to enter, so the goal measures nothing (doing it again counts as converting); make the goal the event that means success',
        },
        {
          path: '/definition/nodes/2',
          severity: 'error',
          message:
            'send "text" is scheduled inside DND hours and would never be sent: it comes right after delay "evening", which ends at 22:00, always inside the DND hours, and whenInDnd is "skip"',
        },
        {
          path: '/definition/nodes/2/message/body',
          severity: 'warning',
          message: 'Profil.name at line 1, column 7: a template can read only Profile, Event and EventName, so "Profil" is blank for every user (did you mean Profile?)',
        },
      ],
    });

    // Nothing to say: an empty list. An invalid definition: its problems, and no checks (they need a valid one).
    const clean = path('Clean', [
      { id: 'start', kind: 'entry', trigger: { type: 'action', event: 'Signed Up' } },
      { id: 'done', kind: 'exit' },
    ]);
    assert.deepEqual((await api.call('POST', '/v1/journeys/validate', { body: { definition: clean } })).body, { valid: true, problems: [], checks: [] });
    const broken = await api.call('POST', '/v1/journeys/validate', { body: { definition: { ...clean, edges: [] } } });
    assert.deepEqual(broken.body, {
      valid: false,
      problems: [
        { path: '/definition/nodes/0', message: 'node "start" has no way out; connect it to another node or to an exit' },
        { path: '/definition/nodes/1', message: 'node "done" cannot be reached from the entry' },
      ],
    });
  });

  test('validate with the journey’s id: a journey trigger naming itself or a missing journey is a publish error', async () => {
    const api = await startApi({ store });
    const triggered = (journeyId: string, nodeId: string) =>
      path('Follow-up', [
        { id: 'start', kind: 'entry', trigger: { type: 'journey', journeyId, nodeId } },
        { id: 'done', kind: 'exit' },
      ]);
    const self = await api.call('POST', '/v1/journeys/validate', { body: { id: 'follow-up', definition: triggered('follow-up', 'done') } });
    assert.deepEqual(self.body.checks, [{ path: '/definition/nodes/0/trigger/journeyId', severity: 'error', message: 'a journey cannot be triggered by itself' }]);
    const missing = await api.call('POST', '/v1/journeys/validate', { body: { definition: triggered('nope', 'done') } });
    assert.deepEqual(missing.body.checks, [{ path: '/definition/nodes/0/trigger/journeyId', severity: 'error', message: 'no journey "nope"' }]);

    const badId = await api.call('POST', '/v1/journeys/validate', { body: { id: '', definition: triggered('nope', 'done') } });
    assert.equal(badId.status, 400);
    assert.deepEqual(badId.body.problems.map((p: { path: string }) => p.path), ['/id']);
  });
});
