/** The delay form: wait a while, until a local time (on some weekdays), or until a moment from a date trait. */
import { delayMode, switchDelayMode, withField, type DelayMode } from '../lib/draft.ts';
import { RadioGroup, WeekdaysField } from './fields/choices.tsx';
import { DurationField } from './fields/DurationField.tsx';
import { TextField } from './fields/TextField.tsx';
import { DateMomentFields, useCatalog, ZoneChoiceField, type DateMomentValue } from './shared.tsx';
import type { NodeFormProps } from './types.ts';

export function DelayForm({ node, path, change }: NodeFormProps) {
  const { traits } = useCatalog();
  const mode = delayMode(node);
  const set = (label: string, key: string, value: unknown) => change(label, (n) => withField(n, key, value));
  return (
    <>
      <RadioGroup<DelayMode>
        legend="Wait"
        value={mode}
        options={[
          { value: 'duration', label: 'For a while', hint: 'e.g. 2 hours after the previous step' },
          { value: 'untilTime', label: 'Until a time of day', hint: 'e.g. the next 10:00, on weekdays' },
          { value: 'untilDate', label: 'Until a date on the profile', hint: 'e.g. 1 day before renewal_date' },
        ]}
        onChange={(next) => change('Change how the delay waits', (n) => switchDelayMode(n, next))}
      />
      {mode === 'duration' && (
        <DurationField
          label="Wait for"
          path={`${path}/duration`}
          value={node.duration as string | undefined}
          hint="Measured from when the previous step was due."
          onChange={(d) => set('Change the delay', 'duration', d)}
        />
      )}
      {mode === 'untilTime' && (
        <>
          <TextField label="Until (local time)" type="time" path={`${path}/untilTime`} value={String(node.untilTime ?? '')} onCommit={(t) => set('Change the time of day', 'untilTime', t)} />
          <WeekdaysField
            legend="On these days"
            path={`${path}/days`}
            hint="None picked: any day."
            value={node.days as string[] | undefined}
            onChange={(days) => set('Change the days', 'days', days)}
          />
        </>
      )}
      {mode === 'untilDate' && (
        <DateMomentFields
          path={`${path}/untilDate`}
          value={node.untilDate as DateMomentValue}
          traits={traits}
          onChange={(v) => set('Change the date', 'untilDate', v)}
        />
      )}
      {mode !== 'duration' && <ZoneChoiceField path={`${path}/timezone`} value={node.timezone} onChange={(z) => set('Change whose clock', 'timezone', z)} />}
    </>
  );
}
