import { useState } from 'react';
import { PROVIDER_FORMS, PROVIDER_LABEL, pushSummary, secretSet } from '../../lib/delivery.ts';
import { useStore } from '../../store/index.ts';
import type { ProviderView } from '../../store/delivery.ts';
import { Dialog } from '../Dialog.tsx';
import { Time } from '../Time.tsx';
import { ProviderForm } from './ProviderForm.tsx';

/** Settings shown in a provider's summary, in this order; secrets say only whether they are set. */
const SUMMARY: { key: string; label: string; secret?: true }[] = [
  { key: 'host', label: 'Host' },
  { key: 'port', label: 'Port' },
  { key: 'user', label: 'User' },
  { key: 'password', label: 'Password', secret: true },
  { key: 'accountSid', label: 'Account SID' },
  { key: 'authToken', label: 'Auth token', secret: true },
  { key: 'apiKeySid', label: 'API key SID' },
  { key: 'apiKeySecret', label: 'API key secret', secret: true },
  { key: 'from', label: 'From' },
  { key: 'messagingServiceSid', label: 'Messaging Service SID' },
  { key: 'replyTo', label: 'Reply-to' },
  { key: 'returnPath', label: 'Return path' },
  { key: 'publicUrl', label: 'Public URL' },
  { key: 'secret', label: 'Signing secret', secret: true },
  { key: 'timeoutMs', label: 'Timeout (ms)' },
  { key: 'allowHosts', label: 'Allowed private hosts' },
];

/** One channel: how its messages are delivered, and (when it can have one) its provider to set, change or remove. */
export function ProviderCard({ view, label }: { view: ProviderView; label: string }) {
  const removeProvider = useStore((s) => s.removeProvider);
  const busy = useStore((s) => !!s.busy[`provider:${view.channel}`]);
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const form = PROVIDER_FORMS[view.channel];
  const outbox = view.provider === 'outbox';
  const titleId = `provider-${view.channel}-title`;
  // Push's settings are nested, one object per service: summed up by service.
  const shown =
    view.provider === 'push'
      ? pushSummary(view.settings)
      : SUMMARY.filter((s) => view.settings[s.key] !== undefined).map((s) => ({
          label: s.label,
          value: s.secret ? (secretSet(view.settings, s.key) ? 'set' : 'not set') : summaryText(view.settings[s.key]),
        }));

  return (
    <section className="provider-card" aria-labelledby={titleId}>
      <div className="provider-head">
        <div>
          <h3 id={titleId}>{label}</h3>
          <p className="provider-state">
            <span className={`pill ${outbox ? 'provider-outbox' : 'provider-live'}`}>{PROVIDER_LABEL[view.provider] ?? view.provider}</span>{' '}
            <span className="muted">
              {outbox ? 'Messages are recorded in the message log only; nothing leaves Waymark.' : 'Messages are delivered for real, with retries.'}
              {view.updatedAt !== null && (
                <>
                  {' '}
                  Changed <Time at={view.updatedAt} />.
                </>
              )}
            </span>
          </p>
        </div>
        {form && !editing && (
          <div className="provider-buttons">
            <button type="button" className="button small" onClick={() => setEditing(true)} aria-label={`${outbox ? 'Set up' : 'Change'} the ${label.toLowerCase()} provider`}>
              {outbox ? 'Set up' : 'Change'}
            </button>
            {!outbox && (
              <button type="button" className="button small danger-ghost" disabled={busy} onClick={() => setConfirm(true)} aria-label={`Remove the ${label.toLowerCase()} provider`}>
                Remove
              </button>
            )}
          </div>
        )}
      </div>
      {!outbox && !editing && shown.length > 0 && (
        <dl className="provider-summary">
          {shown.map((s) => (
            <div key={s.label}>
              <dt>{s.label}</dt>
              <dd>{s.value}</dd>
            </div>
          ))}
        </dl>
      )}
      {form && editing && <ProviderForm view={view} provider={form} label={label} onDone={() => setEditing(false)} />}
      {confirm && (
        <Dialog title={`Remove the ${label.toLowerCase()} provider?`} onClose={() => setConfirm(false)}>
          <p>{label} messages go back to the built-in outbox: recorded in the message log, delivered nowhere. The stored settings and secrets are deleted.</p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setConfirm(false)} autoFocus>
              Keep it
            </button>
            <button
              type="button"
              className="button danger"
              onClick={() => {
                setConfirm(false);
                void removeProvider(view.channel);
              }}
            >
              Remove provider
            </button>
          </div>
        </Dialog>
      )}
    </section>
  );
}

function summaryText(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}
