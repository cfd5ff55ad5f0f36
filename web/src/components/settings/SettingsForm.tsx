import { useEffect, useRef, useState, type FormEvent } from 'react';
import { capsOf, newRow, placeProblems, rowOf, settingsFields, type CapRow, type Problem } from '../../lib/settings-form.ts';
import { DEFAULT_ZONE } from '../../lib/zoned-time.ts';
import { useStore } from '../../store/index.ts';
import type { ProjectSettings, SettingsBody } from '../../store/settings.ts';
import { FrequencyCaps, type ChannelChoice } from './FrequencyCaps.tsx';
import { TimezoneField } from './TimezoneField.tsx';

type CapChannel = NonNullable<NonNullable<SettingsBody['frequencyCaps']>[number]['channel']>;

/** The channels a cap can name, when the server's registry has not answered: the API's own list. */
const CHANNELS: { name: CapChannel; label: string }[] = [
  { name: 'push', label: 'Push' },
  { name: 'sms', label: 'SMS' },
  { name: 'email', label: 'Email' },
  { name: 'whatsapp', label: 'WhatsApp' },
  { name: 'inbox', label: 'Inbox' },
  { name: 'webhook', label: 'Webhook' },
];

/** The project's time zone and frequency caps, saved together with PUT /v1/settings. */
export function SettingsForm({ settings }: { settings: ProjectSettings }) {
  const saveSettings = useStore((s) => s.saveSettings);
  const registry = useStore((s) => s.registry);
  const nextKey = useRef(0);
  const [timezone, setTimezone] = useState(settings.timezone ?? DEFAULT_ZONE);
  const [rows, setRows] = useState<CapRow[]>(() => (settings.frequencyCaps ?? []).map((cap) => rowOf(cap, nextKey.current++)));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const { byField, other } = placeProblems(problems, settingsFields(rows.length));
  const channels: ChannelChoice[] = registry?.channels.length ? registry.channels : CHANNELS;

  // After a refused save, the first field to fix gets the focus.
  useEffect(() => {
    if (problems.length > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [problems]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    const { caps, problems: local } = capsOf(rows);
    if (local.length > 0) {
      setProblems(local);
      return;
    }
    setSaving(true);
    // Fields this form does not edit are sent back as they were: PUT replaces the whole settings.
    const refused = await saveSettings({ ...settings, timezone, frequencyCaps: caps as SettingsBody['frequencyCaps'] });
    setSaving(false);
    setProblems(refused ?? []);
  };

  const change = (key: number, patch: Partial<CapRow>) => setRows((list) => list.map((r) => (r.key === key ? { ...r, ...patch } : r)));

  return (
    <form ref={form} className="panel section-card settings-form" onSubmit={submit} noValidate aria-labelledby="general-title">
      <div className="section-head">
        <h2 id="general-title">Delivery rules</h2>
      </div>
      {problems.length > 0 && (
        <div className="notice notice-error" role="alert">
          <span>
            The settings were not saved. {other.length > 0 ? other.join(' ') : 'Fix the fields marked below.'}
          </span>
        </div>
      )}
      <TimezoneField value={timezone} onChange={setTimezone} error={byField['/timezone']} stored={settings.timezone} />
      <FrequencyCaps
        rows={rows}
        channels={channels}
        errors={byField}
        onChange={change}
        onAdd={() => setRows((list) => [...list, newRow(nextKey.current++)])}
        onRemove={(key) => {
          setRows((list) => list.filter((r) => r.key !== key));
          setProblems([]); // they name rows by position, which has just changed
        }}
      />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  );
}
