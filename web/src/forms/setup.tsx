/**
 * The journey's setup (docs/journeys.md, "Setup"): name and description, time zone, entry timeline, re-entry
 * and cool-down, timeout, control group, frequency caps, and quiet hours. Each field writes its own key of
 * `setup`, and clearing one removes it.
 */
import { useState } from 'react';
import { setDefinitionField, setSetup, type Draft } from '../lib/draft.ts';
import { fromLocalInput, toLocalInput } from '../lib/zone-input.ts';
import { isKnownZone, zoneChoices } from '../lib/zoned-time.ts';
import { CheckField, RadioGroup } from './fields/choices.tsx';
import { DurationField } from './fields/DurationField.tsx';
import { TextField } from './fields/TextField.tsx';
import { DndFields } from './dnd.tsx';

const ZONES = zoneChoices().map((z) => ({ value: z }));

export function SetupForm({ draft, editDraft }: { draft: Draft; editDraft: (label: string, change: (d: Draft) => Draft) => void }) {
  const setup = draft.setup ?? {};
  const set = (label: string, key: string, value: unknown) => editDraft(label, (d) => setSetup(d, key, value));
  const zone = typeof setup.timezone === 'string' && isKnownZone(setup.timezone) ? setup.timezone : 'UTC';
  const [zoneError, setZoneError] = useState<string | null>(null);
  const [percentError, setPercentError] = useState<string | null>(null);
  const reentry = setup.reentry === 'afterExit' ? 'afterExit' : 'never';

  return (
    <>
      <TextField label="Name" path="/name" value={draft.name} required maxLength={200} onCommit={(name) => editDraft('Rename the journey', (d) => setDefinitionField(d, 'name', name))} />
      <TextField
        label="Description (optional)"
        path="/description"
        multiline
        maxLength={5000}
        value={draft.description ?? ''}
        onCommit={(text) => editDraft('Change the description', (d) => setDefinitionField(d, 'description', text))}
      />
      <TextField
        label="Time zone"
        path="/setup/timezone"
        error={zoneError}
        options={ZONES}
        placeholder="the project's zone"
        value={typeof setup.timezone === 'string' ? setup.timezone : ''}
        hint="Schedules, local times and quiet hours run in it (and for users without a timezone trait). Empty: the project's zone."
        onCommit={(text) => {
          const value = text.trim();
          if (value !== '' && !isKnownZone(value)) return setZoneError(`“${value}” is not an IANA time zone, e.g. Europe/Lisbon`);
          setZoneError(null);
          set('Change the time zone', 'timezone', value === '' ? undefined : value);
        }}
      />
      <fieldset className="group">
        <legend>Entry timeline ({typeof setup.timezone === 'string' ? zone : 'UTC'})</legend>
        <p className="hint group-hint">Entries start passes from the start (included) to the end (excluded); users inside when it ends finish. Empty: no limit.</p>
        <div className="inline-fields">
          {(['startAt', 'endAt'] as const).map((key) => (
            <TextField
              key={key}
              label={key === 'startAt' ? 'Start' : 'End'}
              type="datetime-local"
              path={`/setup/${key}`}
              value={toLocalInput(setup[key] as string | undefined, zone)}
              onCommit={(local) => set(key === 'startAt' ? 'Change the start' : 'Change the end', key, local === '' ? undefined : (fromLocalInput(local, zone) ?? undefined))}
            />
          ))}
        </div>
      </fieldset>
      <RadioGroup
        legend="Re-entry"
        path="/setup/reentry"
        value={reentry}
        options={[
          { value: 'never', label: 'Once ever', hint: 'a user enters this journey one time' },
          { value: 'afterExit', label: 'Again after leaving', hint: 'never two passes at once' },
        ]}
        onChange={(next) =>
          editDraft('Change re-entry', (d) => {
            const changed = setSetup(d, 'reentry', next);
            return next === 'never' ? setSetup(changed, 'reentryCooldown', undefined) : changed;
          })
        }
      />
      {reentry === 'afterExit' && (
        <DurationField
          label="Cool-down (optional)"
          path="/setup/reentryCooldown"
          optional
          defaultUnit="d"
          value={setup.reentryCooldown as string | undefined}
          hint="How long after leaving before the user may enter again."
          onChange={(d) => set('Change the cool-down', 'reentryCooldown', d)}
        />
      )}
      <DurationField
        label="Timeout (optional)"
        path="/setup/timeout"
        optional
        defaultUnit="d"
        value={setup.timeout as string | undefined}
        hint="Users leave this long after entering, wherever they are."
        onChange={(d) => set('Change the timeout', 'timeout', d)}
      />
      <TextField
        label="Control group (%)"
        type="number"
        path="/setup/controlGroupPercent"
        error={percentError}
        value={setup.controlGroupPercent === undefined ? '' : String(setup.controlGroupPercent)}
        hint="0-99: this share of users is held out (no messages), and their conversions counted for the uplift."
        onCommit={(text) => {
          const n = text.trim() === '' ? undefined : Number(text);
          if (n === undefined) {
            setPercentError(null);
            return set('Change the control group', 'controlGroupPercent', undefined);
          }
          if (!Number.isInteger(n) || n < 0 || n > 99) return setPercentError('a whole number from 0 to 99');
          setPercentError(null);
          set('Change the control group', 'controlGroupPercent', n);
        }}
      />
      <CheckField
        label="Ignore the project's frequency caps"
        hint="For transactional messages, such as a renewal reminder."
        checked={setup.ignoreFrequencyCaps === true}
        onChange={(on) => set('Change frequency caps', 'ignoreFrequencyCaps', on ? true : undefined)}
      />
      <DndFields value={setup.dnd as Record<string, unknown> | undefined} onChange={(dnd) => set('Change quiet hours', 'dnd', dnd)} />
    </>
  );
}
