/**
 * The journey's goals (docs/journeys.md, "Goals"): up to 20, each an event with optional property filters
 * and window; the first that matches counts, and by default the user leaves on it.
 */
import { propertiesOf } from '../lib/catalog.ts';
import { newGoal, setGoalEvent, setGoals, withField, type Draft, type Goal } from '../lib/draft.ts';
import { CheckField } from './fields/choices.tsx';
import { DurationField } from './fields/DurationField.tsx';
import { useProblems, FieldErrors } from './fields/Field.tsx';
import { FiltersField } from './fields/FiltersField.tsx';
import { TextField } from './fields/TextField.tsx';
import { eventOptions, useCatalog } from './shared.tsx';

export function GoalsForm({ draft, editDraft }: { draft: Draft; editDraft: (label: string, change: (d: Draft) => Draft) => void }) {
  const { events } = useCatalog();
  const goals = draft.goals ?? [];
  const setGoal = (label: string, i: number, update: (g: Goal) => Goal) => editDraft(label, (d) => setGoals(d, (d.goals ?? []).map((g, j) => (j === i ? update(g) : g))));
  const problems = useProblems('/goals');
  return (
    <>
      <p className="muted form-note">A goal is a conversion. Each pass converts once, on the first goal in this list that an event meets.</p>
      <FieldErrors problems={problems} />
      {goals.length === 0 && <p className="muted empty-note">No goals: conversions are not counted.</p>}
      <ol className="goals">
        {goals.map((goal, i) => (
          <li key={i} className="goal" aria-label={`Goal ${i + 1}`}>
            <div className="inline-fields">
              <TextField label={`Goal ${i + 1} event`} path={`/goals/${i}/event`} value={goal.event} options={eventOptions(events)} onCommit={(event) => editDraft('Change a goal’s event', (d) => setGoalEvent(d, i, event))} />
              <TextField label="Id" path={`/goals/${i}/id`} value={goal.id} onCommit={(id) => setGoal('Rename a goal', i, (g) => ({ ...g, id }))} />
            </div>
            <FiltersField
              legend="Only when its properties match"
              path={`/goals/${i}/where`}
              value={goal.where}
              keys={propertiesOf(events, goal.event)}
              onChange={(where) => setGoal('Change a goal’s filters', i, (g) => withField(g, 'where', where.length > 0 ? where : undefined))}
            />
            <DurationField
              label="Within (optional)"
              path={`/goals/${i}/within`}
              optional
              defaultUnit="d"
              value={goal.within}
              hint="Of entering; a later event neither counts nor exits."
              onChange={(within) => setGoal('Change a goal’s window', i, (g) => withField(g, 'within', within))}
            />
            <CheckField
              label="The user leaves the journey on it"
              checked={goal.exitOnGoal !== false}
              onChange={(on) => setGoal('Change whether a goal exits', i, (g) => withField(g, 'exitOnGoal', on ? (g.exitOnGoal === undefined ? undefined : true) : false))}
            />
            <button type="button" className="button ghost small remove" aria-label={`Remove goal ${i + 1}`} onClick={() => editDraft('Remove a goal', (d) => setGoals(d, (d.goals ?? []).filter((_, j) => j !== i)))}>
              Remove goal
            </button>
          </li>
        ))}
      </ol>
      {goals.length < 20 && (
        <button type="button" className="button small add" onClick={() => editDraft('Add a goal', (d) => setGoals(d, [...(d.goals ?? []), newGoal(d, events[0]?.name ?? 'Purchase')]))}>
          + Add a goal
        </button>
      )}
    </>
  );
}
