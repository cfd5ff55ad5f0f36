import { useMemo } from 'react';
import { formatInZone, zoneChoices } from '../../lib/zoned-time.ts';
import { FieldError, invalidProps } from './FieldError.tsx';

/** The project's time zone, chosen from the zones this browser knows (the server checks it again). */
export function TimezoneField({ value, onChange, error, stored }: { value: string; onChange: (zone: string) => void; error: string | undefined; stored: string | undefined }) {
  const zones = useMemo(() => zoneChoices(stored), [stored]);
  return (
    <div className="field">
      <label htmlFor="settings-timezone">Project time zone</label>
      <select id="settings-timezone" value={value} onChange={(e) => onChange(e.target.value)} {...invalidProps('settings-timezone-error', error, 'settings-timezone-hint')}>
        {zones.map((zone) => (
          <option key={zone} value={zone}>
            {zone.replaceAll('_', ' ')}
          </option>
        ))}
      </select>
      <FieldError id="settings-timezone-error" message={error} />
      <p id="settings-timezone-hint" className="hint">
        For journeys that name no zone of their own, and for users without a valid <code>timezone</code> trait. The dashboard shows times in it.
        It is now {formatInZone(Date.now(), value)} there.
      </p>
    </div>
  );
}
