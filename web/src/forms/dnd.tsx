/**
 * Quiet hours (`setup.dnd`, docs/journeys.md "DND"): every day from `start` to `end`, plus windows on some
 * weekdays, in the user's or the journey's zone; a message due inside one is deferred or skipped.
 */
import { withField } from '../lib/draft.ts';
import { CheckField, RadioGroup, WeekdaysField } from './fields/choices.tsx';
import { Group } from './fields/Field.tsx';
import { TextField } from './fields/TextField.tsx';
import { ZoneChoiceField } from './shared.tsx';

type Dnd = Record<string, unknown>;
type Window = { start: string; end: string; days?: string[] };

const PATH = '/setup/dnd';

export function DndFields({ value, onChange }: { value: Dnd | undefined; onChange: (dnd: Dnd | undefined) => void }) {
  const set = (key: string, v: unknown) => onChange(withField(value ?? {}, key, v));
  const windows = (value?.windows ?? []) as Window[];
  const setWindows = (next: Window[]) => set('windows', next.length > 0 ? next : undefined);
  return (
    <Group legend="Quiet hours" path={PATH}>
      <CheckField label="Do not send messages at some hours" checked={value !== undefined} onChange={(on) => onChange(on ? { start: '21:00', end: '09:00' } : undefined)} />
      {value !== undefined && (
        <>
          <div className="inline-fields">
            <TextField label="Every day from" type="time" path={`${PATH}/start`} value={String(value.start ?? '')} onCommit={(t) => set('start', t === '' ? undefined : t)} />
            <TextField label="To" type="time" path={`${PATH}/end`} value={String(value.end ?? '')} onCommit={(t) => set('end', t === '' ? undefined : t)} />
          </div>
          {windows.map((w, i) => (
            <div key={i} className="dnd-window" role="group" aria-label={`Window ${i + 1}`}>
              <WeekdaysField legend={`Window ${i + 1}: on`} path={`${PATH}/windows/${i}/days`} value={w.days} hint="None picked: every day." onChange={(days) => setWindows(windows.map((x, j) => (j === i ? withField(x, 'days', days) : x)))} />
              <div className="inline-fields">
                <TextField label="From" type="time" path={`${PATH}/windows/${i}/start`} value={w.start} onCommit={(start) => setWindows(windows.map((x, j) => (j === i ? { ...x, start } : x)))} />
                <TextField label="To" type="time" path={`${PATH}/windows/${i}/end`} value={w.end} onCommit={(end) => setWindows(windows.map((x, j) => (j === i ? { ...x, end } : x)))} />
                <button type="button" className="button ghost small remove" aria-label={`Remove window ${i + 1}`} onClick={() => setWindows(windows.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </div>
            </div>
          ))}
          {windows.length < 14 && (
            <button type="button" className="button small add" onClick={() => setWindows([...windows, { days: ['fri', 'sat'], start: '22:00', end: '11:00' }])}>
              + Add a window on some days
            </button>
          )}
          <ZoneChoiceField path={`${PATH}/timezone`} value={value.timezone} onChange={(z) => set('timezone', z)} />
          <RadioGroup
            legend="A message due in quiet hours is"
            path={`${PATH}/whenInDnd`}
            value={value.whenInDnd === 'skip' ? 'skip' : 'defer'}
            options={[
              { value: 'defer', label: 'Sent when they end' },
              { value: 'skip', label: 'Skipped', hint: 'the user takes the send’s Unreachable branch' },
            ]}
            onChange={(choice) => set('whenInDnd', choice === 'skip' ? 'skip' : value.whenInDnd === undefined ? undefined : 'defer')}
          />
        </>
      )}
    </Group>
  );
}
