import type { TwilioDraft } from '../../lib/delivery.ts';
import { ProviderField } from './ProviderField.tsx';
import { SetBadge } from './SetBadge.tsx';

/** A Twilio account (SMS or WhatsApp): its SID and credentials, the sender, and the public URL its callbacks reach. */
export function TwilioFields(props: {
  channel: string;
  draft: TwilioDraft;
  onChange: (patch: Partial<TwilioDraft>) => void;
  errors: Record<string, string>;
  tokenSet: boolean;
  keySecretSet: boolean;
}) {
  const { channel, draft, onChange, errors, tokenSet, keySecretSet } = props;
  const id = (field: string) => `${channel}-twilio-${field}`;
  const stored = (set: boolean) => ({ badge: set ? <SetBadge /> : null, placeholder: set ? 'Stored: leave empty to keep it' : '' });
  return (
    <div className="provider-grid">
      <ProviderField id={id('account')} label="Account SID" value={draft.accountSid} onChange={(accountSid) => onChange({ accountSid })} error={errors['/accountSid']} placeholder="AC…" hint="Twilio console, Account Info." />
      <ProviderField
        id={id('token')}
        label="Auth token"
        type="password"
        value={draft.authToken}
        onChange={(authToken) => onChange({ authToken })}
        error={errors['/authToken']}
        autoComplete="new-password"
        {...stored(tokenSet)}
        hint="Write-only. Also checks the signature of Twilio's callbacks: needed for delivery reports and STOP replies."
      />
      <ProviderField id={id('key')} label="API key SID (optional)" value={draft.apiKeySid} onChange={(apiKeySid) => onChange({ apiKeySid })} error={errors['/apiKeySid']} placeholder="SK…" hint="To send with an API key rather than the auth token." />
      <ProviderField
        id={id('key-secret')}
        label="API key secret (optional)"
        type="password"
        value={draft.apiKeySecret}
        onChange={(apiKeySecret) => onChange({ apiKeySecret })}
        error={errors['/apiKeySecret']}
        autoComplete="new-password"
        {...stored(keySecretSet)}
        hint="Write-only: never shown again once saved."
      />
      <ProviderField
        id={id('from')}
        label="From number"
        value={draft.from}
        onChange={(from) => onChange({ from })}
        error={errors['/from']}
        placeholder="+14155550100"
        hint={channel === 'whatsapp' ? 'Your WhatsApp-enabled number, E.164 (whatsapp: is added). Or a Messaging Service below.' : 'E.164. Or a Messaging Service below.'}
      />
      <ProviderField id={id('service')} label="Messaging Service SID (optional)" value={draft.messagingServiceSid} onChange={(messagingServiceSid) => onChange({ messagingServiceSid })} error={errors['/messagingServiceSid']} placeholder="MG…" />
      <ProviderField
        id={id('public-url')}
        label="Public URL (optional)"
        value={draft.publicUrl}
        onChange={(publicUrl) => onChange({ publicUrl })}
        error={errors['/publicUrl']}
        placeholder="https://waymark.shop.example"
        hint="Waymark's API as Twilio reaches it: delivery reports come to /v1/twilio/status under it; set /v1/twilio/inbound as the number's incoming-message webhook."
      />
    </div>
  );
}
