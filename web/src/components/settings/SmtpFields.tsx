import type { SmtpDraft } from '../../lib/delivery.ts';
import { FieldError, invalidProps } from './FieldError.tsx';
import { ProviderField } from './ProviderField.tsx';
import { SetBadge } from './SetBadge.tsx';

/** The SMTP server, its login and the sender of an email provider. */
export function SmtpFields({ draft, onChange, errors, passwordSet }: { draft: SmtpDraft; onChange: (patch: Partial<SmtpDraft>) => void; errors: Record<string, string>; passwordSet: boolean }) {
  return (
    <div className="provider-grid">
      <ProviderField id="smtp-host" label="SMTP host" value={draft.host} onChange={(host) => onChange({ host })} error={errors['/host']} placeholder="smtp.example.com" />
      <ProviderField id="smtp-port" label="Port" value={draft.port} onChange={(port) => onChange({ port })} error={errors['/port']} hint="587 for STARTTLS, 465 for TLS from the start." />
      <div className="field checkbox-line">
        <input id="smtp-secure" type="checkbox" checked={draft.secure} onChange={(e) => onChange({ secure: e.target.checked })} {...invalidProps('smtp-secure-error', errors['/secure'])} />
        <label htmlFor="smtp-secure">TLS from the start (port 465)</label>
        <FieldError id="smtp-secure-error" message={errors['/secure']} />
      </div>
      <ProviderField id="smtp-user" label="User" value={draft.user} onChange={(user) => onChange({ user })} error={errors['/user']} autoComplete="off" hint="Leave empty if the server takes mail without a login." />
      <ProviderField
        id="smtp-password"
        label="Password"
        type="password"
        value={draft.password}
        onChange={(password) => onChange({ password })}
        error={errors['/password']}
        autoComplete="new-password"
        badge={passwordSet ? <SetBadge /> : null}
        placeholder={passwordSet ? 'Stored: leave empty to keep it' : ''}
        hint="Write-only: never shown again once saved."
      />
      <ProviderField id="smtp-from" label="From" value={draft.from} onChange={(from) => onChange({ from })} error={errors['/from']} placeholder="Shop <news@shop.example>" />
      <ProviderField id="smtp-reply-to" label="Reply-to (optional)" value={draft.replyTo} onChange={(replyTo) => onChange({ replyTo })} error={errors['/replyTo']} placeholder="help@shop.example" />
      <ProviderField
        id="smtp-return-path"
        label="Return path (optional)"
        value={draft.returnPath}
        onChange={(returnPath) => onChange({ returnPath })}
        error={errors['/returnPath']}
        placeholder="bounces@shop.example"
        hint="Where mail servers send bounces (the envelope sender). Pipe that mailbox to POST /v1/bounces so bounced emails are marked. Empty: the From address."
      />
      <ProviderField
        id="smtp-public-url"
        label="Public URL (optional)"
        value={draft.publicUrl}
        onChange={(publicUrl) => onChange({ publicUrl })}
        error={errors['/publicUrl']}
        placeholder="https://waymark.shop.example"
        hint="Waymark's API as recipients reach it: the base of one-click unsubscribe links and of tracked links. Without it, emails carry no List-Unsubscribe header and are not tracked."
      />
      <div className="field checkbox-line">
        <input id="smtp-tracking" type="checkbox" checked={draft.tracking} onChange={(e) => onChange({ tracking: e.target.checked })} {...invalidProps('smtp-tracking-error', errors['/tracking'])} />
        <label htmlFor="smtp-tracking">Track opens and clicks (with a public URL)</label>
        <FieldError id="smtp-tracking-error" message={errors['/tracking']} />
      </div>
    </div>
  );
}
