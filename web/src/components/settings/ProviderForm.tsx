import { useEffect, useRef, useState, type FormEvent } from 'react';
import {
  bodyOf,
  draftOf,
  problemsLeft,
  providerFields,
  pushSecretsSet,
  secretSet,
  type ProviderDraft,
  type ProviderKind,
  type PushDraft,
  type SmtpDraft,
  type TwilioDraft,
  type WebhookDraft,
} from '../../lib/delivery.ts';
import { placeProblems, type Problem } from '../../lib/settings-form.ts';
import { useStore } from '../../store/index.ts';
import type { ProviderView } from '../../store/delivery.ts';
import { PushFields } from './PushFields.tsx';
import { SmtpFields } from './SmtpFields.tsx';
import { TwilioFields } from './TwilioFields.tsx';
import { WebhookFields } from './WebhookFields.tsx';

/** Sets or changes one channel's provider (PUT /v1/providers/:channel); the server's problems go next to their fields. */
export function ProviderForm({ view, provider, label, onDone }: { view: ProviderView; provider: ProviderKind; label: string; onDone: () => void }) {
  const saveProvider = useStore((s) => s.saveProvider);
  const [draft, setDraft] = useState<ProviderDraft>(() => draftOf(provider, view.settings));
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saving, setSaving] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const { byField, other } = placeProblems(problems, providerFields(provider));
  const stored = view.provider === provider;

  // After a refused save, the first field to fix gets the focus.
  useEffect(() => {
    if (problems.length > 0) form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [problems]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    const { body, problems: local } = bodyOf(draft);
    if (local.length > 0) {
      setProblems(local);
      return;
    }
    setSaving(true);
    const refused = await saveProvider(view.channel, body);
    setSaving(false);
    if (refused) setProblems(refused);
    else onDone();
  };

  const change = (patch: Partial<SmtpDraft> | Partial<WebhookDraft> | Partial<TwilioDraft> | Partial<PushDraft>) => {
    setDraft((d) => ({ ...d, ...patch }) as ProviderDraft);
    // A problem stays only on the fields not edited since the save that found it.
    setProblems((list) => problemsLeft(list, Object.keys(patch), provider));
  };

  return (
    <form ref={form} className="provider-form" onSubmit={submit} noValidate aria-label={`${label} provider settings`}>
      {problems.length > 0 && (
        <div className="notice notice-error" role="alert">
          <span>The provider was not saved. {other.length > 0 ? other.join(' ') : 'Fix the fields marked below.'}</span>
        </div>
      )}
      {draft.provider === 'push' ? (
        <PushFields draft={draft} onChange={change} errors={byField} secretsSet={stored ? pushSecretsSet(view.settings) : { serviceAccount: false, apnsKey: false, privateKey: false }} />
      ) : draft.provider === 'twilio' ? (
        <TwilioFields
          channel={view.channel}
          draft={draft}
          onChange={change}
          errors={byField}
          tokenSet={stored && secretSet(view.settings, 'authToken')}
          keySecretSet={stored && secretSet(view.settings, 'apiKeySecret')}
        />
      ) : draft.provider === 'smtp' ? (
        <SmtpFields draft={draft} onChange={change} errors={byField} passwordSet={stored && secretSet(view.settings, 'password')} />
      ) : (
        <WebhookFields draft={draft} onChange={change} errors={byField} secretSet={stored && secretSet(view.settings, 'secret')} />
      )}
      <div className="form-actions provider-actions">
        <button type="button" className="button ghost" onClick={onDone}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={saving}>
          {saving ? 'Saving…' : `Save ${label.toLowerCase()} provider`}
        </button>
      </div>
    </form>
  );
}
