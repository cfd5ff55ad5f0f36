/** When a segment entry runs: every day (or on some weekdays) at a time, or on chosen dates, in the journey's zone. */
import { fromLocalInput, toLocalInput } from '../lib/zone-input.ts';
import { SelectField, WeekdaysField } from './fields/choices.tsx';
import { Group } from './fields/Field.tsx';
import { TextField } from './fields/TextField.tsx';

export function ScheduleFields({ path, value, zone, onChange }: { path: string; value: Record<string, unknown> | undefined; zone: string; onChange: (schedule: Record<string, unknown>) => void }) {
  const schedule = value ?? { type: 'recurring', time: '09:00' };
  const at = Array.isArray(schedule.at) ? (schedule.at as string[]) : [];
  return (
    <>
      <SelectField
        label="Runs"
        path={`${path}/type`}
        value={schedule.type === 'dates' ? 'dates' : 'recurring'}
        options={[
          { value: 'recurring', label: 'Every day, or on some weekdays' },
          { value: 'dates', label: 'Once, or on chosen dates' },
        ]}
        onChange={(type) =>
          onChange(type === 'dates' ? { type, at: [fromLocalInput(`${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T09:00`, zone) ?? new Date().toISOString()] } : { type, time: '09:00' })
        }
      />
      {schedule.type === 'dates' ? (
        <Group legend={`On (${zone})`} path={`${path}/at`} within>
          {at.map((iso, i) => (
            <div key={i} className="inline-fields">
              <TextField
                label={`Date ${i + 1}`}
                type="datetime-local"
                path={`${path}/at/${i}`}
                value={toLocalInput(iso, zone)}
                onCommit={(local) => {
                  const next = fromLocalInput(local, zone);
                  if (next) onChange({ ...schedule, at: at.map((x, j) => (j === i ? next : x)) });
                }}
              />
              {at.length > 1 && (
                <button type="button" className="button ghost small remove" aria-label={`Remove date ${i + 1}`} onClick={() => onChange({ ...schedule, at: at.filter((_, j) => j !== i) })}>
                  Remove
                </button>
              )}
            </div>
          ))}
          <button type="button" className="button small add" onClick={() => onChange({ ...schedule, at: [...at, at[at.length - 1] ?? new Date().toISOString()] })}>
            + Add a date
          </button>
        </Group>
      ) : (
        <>
          <TextField label={`At (${zone})`} type="time" path={`${path}/time`} value={String(schedule.time ?? '')} onCommit={(time) => onChange({ ...schedule, time })} />
          <WeekdaysField
            legend="On these days"
            path={`${path}/days`}
            hint="None picked: every day."
            value={schedule.days as string[] | undefined}
            onChange={(days) => {
              const { days: _, ...rest } = schedule;
              onChange(days ? { ...rest, days } : rest);
            }}
          />
        </>
      )}
    </>
  );
}
