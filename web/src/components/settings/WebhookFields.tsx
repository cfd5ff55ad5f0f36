import { useState } from 'react';
import { newWebhookSecret, type WebhookDraft } from '../../lib/delivery.ts';
import { FieldError, invalidProps } from './FieldError.tsx';
import { ProviderField } from './ProviderField.tsx';
import { SetBadge } from './SetBadge.tsx';

/** The signing secret (typed, or made here and shown once), the timeout and the hosts the address guard lets through. */
export function WebhookFields({ draft, onChange, errors, secretSet }: { draft: WebhookDraft; onChange: (patch: Partial<WebhookDraft>) => void; errors: Record<string, string>; secretSet: boolean }) {
  const [generated, setGenerated] = useState<string | null>(null);
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);

  const generate = () => {
    const secret = newWebhookSecret();
    setGenerated(secret);
    setCopied(null);
    onChange({ secret });
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(generated ?? '');
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };

  return (
    <div className="provider-grid">
      <div className="secret-row">
        <ProviderField
          id="webhook-secret"
          label="Signing secret"
          type="password"
          value={draft.secret}
          onChange={(secret) => {
            setGenerated(null);
            onChange({ secret });
          }}
          error={errors['/secret']}
          autoComplete="new-password"
          badge={secretSet ? <SetBadge /> : null}
          placeholder={secretSet ? 'Stored: leave empty to keep it' : 'whsec_…'}
          hint="whsec_ and the base64 of 24 to 64 random bytes. Write-only: never shown again once saved."
        />
        <button type="button" className="button secret-generate" onClick={generate}>
          Generate
        </button>
      </div>
      {generated && (
        <div className="generated-secret" role="group" aria-labelledby="generated-secret-label">
          <p id="generated-secret-label">
            <strong>New secret, shown this once.</strong> Give it to the receiver that verifies the signatures, then save.
          </p>
          <div className="generated-secret-value">
            <code aria-label="The new signing secret">{generated}</code>
            <button type="button" className="button small" onClick={() => void copy()}>
              Copy
            </button>
          </div>
          {copied && (
            <p className="hint" role="status">
              {copied === 'yes' ? 'Copied to the clipboard.' : 'This browser did not allow copying: select the secret and copy it by hand.'}
            </p>
          )}
        </div>
      )}
      <ProviderField
        id="webhook-timeout"
        label="Timeout in milliseconds (optional)"
        value={draft.timeoutMs}
        onChange={(timeoutMs) => onChange({ timeoutMs })}
        error={errors['/timeoutMs']}
        placeholder="10000"
        hint="Per request, the connection included."
      />
      <div className="field provider-field">
        <label htmlFor="webhook-allow-hosts">Allowed private hosts (optional)</label>
        <textarea
          id="webhook-allow-hosts"
          rows={2}
          value={draft.allowHosts}
          onChange={(e) => onChange({ allowHosts: e.target.value })}
          spellCheck={false}
          {...invalidProps('webhook-allow-hosts-error', errors['/allowHosts'], 'webhook-allow-hosts-hint')}
        />
        <FieldError id="webhook-allow-hosts-error" message={errors['/allowHosts']} />
        <p id="webhook-allow-hosts-hint" className="hint">
          One a line. Webhooks never reach loopback or private addresses except for the hosts named here.
        </p>
      </div>
    </div>
  );
}
