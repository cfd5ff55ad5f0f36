import { MAX_CAPS, unitsFor, type CapRow } from '../../lib/settings-form.ts';
import { FieldError, invalidProps } from './FieldError.tsx';

export interface ChannelChoice {
  name: string;
  label: string;
}

/** The caps as rows: every channel or one, at most N messages in any window of a given length. */
export function FrequencyCaps({
  rows,
  channels,
  errors,
  onChange,
  onAdd,
  onRemove,
}: {
  rows: CapRow[];
  channels: ChannelChoice[];
  errors: Record<string, string>;
  onChange: (key: number, change: Partial<CapRow>) => void;
  onAdd: () => void;
  onRemove: (key: number) => void;
}) {
  const listError = errors['/frequencyCaps'];
  return (
    <fieldset className="caps" aria-describedby="caps-hint">
      <legend>Frequency caps</legend>
      <p id="caps-hint" className="hint">
        Each cap limits how many messages one user gets across all journeys, in any rolling window (“1 day” is the last 24 hours). A capped
        message is skipped. Journeys can opt out in their setup.
      </p>
      {rows.length === 0 && <p className="muted empty-line">No caps: users get every message their journeys send.</p>}
      {rows.map((row, i) => {
        const at = `/frequencyCaps/${i}`;
        const id = (field: string) => `cap-${row.key}-${field}`;
        const err = (field: string) => errors[`${at}/${field}`];
        return (
          <div className="cap-row" key={row.key} role="group" aria-label={`Cap ${i + 1}`}>
            <div className="cap-field">
              <label htmlFor={id('channel')}>Channel</label>
              <select id={id('channel')} value={row.channel} onChange={(e) => onChange(row.key, { channel: e.target.value })} {...invalidProps(id('channel-error'), err('channel'))}>
                <option value="">All channels</option>
                {channels.map((c) => (
                  <option key={c.name} value={c.name}>
                    {c.label}
                  </option>
                ))}
              </select>
              <FieldError id={id('channel-error')} message={err('channel')} />
            </div>
            <div className="cap-field narrow">
              <label htmlFor={id('max')}>At most (messages)</label>
              <input id={id('max')} type="number" inputMode="numeric" min={1} max={1000} step={1} value={row.max} onChange={(e) => onChange(row.key, { max: e.target.value })} {...invalidProps(id('max-error'), err('max'))} />
              <FieldError id={id('max-error')} message={err('max')} />
            </div>
            <div className="cap-field window">
              <label htmlFor={id('amount')}>In any window of</label>
              <div className="window-inputs">
                <input id={id('amount')} type="number" inputMode="numeric" min={1} step={1} value={row.amount} onChange={(e) => onChange(row.key, { amount: e.target.value })} {...invalidProps(id('per-error'), err('per'))} />
                <select aria-label={`Window unit of cap ${i + 1}`} value={row.unit} onChange={(e) => onChange(row.key, { unit: e.target.value })}>
                  {unitsFor(row).map((u) => (
                    <option key={u.unit} value={u.unit}>
                      {Number(row.amount) === 1 ? u.singular : u.plural}
                    </option>
                  ))}
                </select>
              </div>
              <FieldError id={id('per-error')} message={err('per')} />
            </div>
            <button type="button" className="button small danger-ghost cap-remove" onClick={() => onRemove(row.key)} aria-label={`Remove cap ${i + 1}`}>
              Remove
            </button>
          </div>
        );
      })}
      <FieldError id="caps-error" message={listError} />
      <button type="button" className="button small cap-add" onClick={onAdd} disabled={rows.length >= MAX_CAPS}>
        Add a cap
      </button>
      {rows.length >= MAX_CAPS && <p className="hint">{MAX_CAPS} caps at most.</p>}
    </fieldset>
  );
}
