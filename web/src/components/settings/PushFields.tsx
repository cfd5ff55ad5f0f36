import type { ReactNode } from 'react';
import type { PushDraft } from '../../lib/delivery.ts';
import { FieldError } from './FieldError.tsx';
import { ProviderField } from './ProviderField.tsx';
import { SetBadge } from './SetBadge.tsx';

type Route = 'fcm' | 'apns' | 'webpush';

/**
 * Push: Firebase Cloud Messaging, APNs and Web Push, each included or not (a push token goes to the route of
 * its kind). The service account, the .p8 key and the VAPID private key are write-only.
 */
export function PushFields(props: {
  draft: PushDraft;
  onChange: (patch: Partial<PushDraft>) => void;
  errors: Record<string, string>;
  secretsSet: { serviceAccount: boolean; apnsKey: boolean; privateKey: boolean };
}) {
  const { draft, onChange, errors, secretsSet } = props;
  const stored = (set: boolean, otherwise = '') => ({ badge: set ? <SetBadge /> : null, placeholder: set ? 'Stored: leave empty to keep it' : otherwise });
  const route = (name: Route, title: string, hint: string, children: ReactNode) => (
    <PushRoute name={name} title={title} hint={hint} on={draft[name]} onToggle={(on) => onChange({ [name]: on })} error={errors[`/${name}`]} noneError={errors['/provider']}>
      {children}
    </PushRoute>
  );
  return (
    <div className="push-routes">
      <p className="hint push-intro">Each push token goes to the service of its kind: include the ones your apps use. A service left out is removed on save, its stored key with it.</p>
      <FieldError id="push-routes-error" message={errors['/provider']} />
      {route(
        'fcm',
        'Firebase Cloud Messaging',
        'For FCM registration tokens: Android apps, and iOS or web apps that send through Firebase.',
        <ProviderField
          id="push-fcm-account"
          label="Service account JSON key"
          rows={5}
          wide
          value={draft.serviceAccount}
          onChange={(serviceAccount) => onChange({ serviceAccount })}
          error={errors['/fcm/serviceAccount']}
          {...stored(secretsSet.serviceAccount, '{ "type": "service_account", "project_id": …')}
          hint="Firebase console, Project settings, Service accounts: generate a new private key and paste the file. Write-only: never shown again once saved."
        />,
      )}
      {route(
        'apns',
        'Apple Push Notification service',
        'For iOS device tokens (64 hexadecimal characters), with a .p8 signing key.',
        <>
          <ProviderField id="push-apns-team" label="Team ID" value={draft.teamId} onChange={(teamId) => onChange({ teamId })} error={errors['/apns/teamId']} placeholder="TEAM123456" hint="10 characters: Apple Developer, Membership details." />
          <ProviderField id="push-apns-key-id" label="Key ID" value={draft.keyId} onChange={(keyId) => onChange({ keyId })} error={errors['/apns/keyId']} placeholder="KEY1234567" hint="10 characters: the file is named AuthKey_<key id>.p8." />
          <ProviderField
            id="push-apns-key"
            label=".p8 key"
            rows={5}
            wide
            value={draft.apnsKey}
            onChange={(apnsKey) => onChange({ apnsKey })}
            error={errors['/apns/key']}
            {...stored(secretsSet.apnsKey, '-----BEGIN PRIVATE KEY-----')}
            hint="The contents of the AuthKey_….p8 file. Write-only: never shown again once saved."
          />
          <ProviderField id="push-apns-bundle" label="Bundle ID" value={draft.bundleId} onChange={(bundleId) => onChange({ bundleId })} error={errors['/apns/bundleId']} placeholder="com.shop.app" hint="Your app's, sent as the apns-topic." />
          <div className="field checkbox-line">
            <input id="push-apns-production" type="checkbox" checked={draft.production} onChange={(e) => onChange({ production: e.target.checked })} aria-describedby="push-apns-production-hint" />
            <label htmlFor="push-apns-production">Production</label>
            <p id="push-apns-production-hint" className="hint">
              Apps from the App Store or TestFlight. Unticked: the sandbox, for development builds.
            </p>
          </div>
        </>,
      )}
      {route(
        'webpush',
        'Web Push',
        "For browsers' push subscriptions, signed with a VAPID key pair.",
        <>
          <ProviderField
            id="push-webpush-public"
            label="VAPID public key"
            wide
            value={draft.publicKey}
            onChange={(publicKey) => onChange({ publicKey })}
            error={errors['/webpush/publicKey']}
            placeholder="BP…"
            hint="base64url, e.g. from npx web-push generate-vapid-keys. Your site subscribes with this key."
          />
          <ProviderField
            id="push-webpush-private"
            label="VAPID private key"
            type="password"
            value={draft.privateKey}
            onChange={(privateKey) => onChange({ privateKey })}
            error={errors['/webpush/privateKey']}
            autoComplete="new-password"
            {...stored(secretsSet.privateKey)}
            hint="The pair's private key. Write-only: never shown again once saved."
          />
          <ProviderField id="push-webpush-subject" label="Subject" value={draft.subject} onChange={(subject) => onChange({ subject })} error={errors['/webpush/subject']} placeholder="mailto:ops@shop.example" hint="A mailto: address or https: URL the push services can reach you at." />
        </>,
      )}
    </div>
  );
}

/** One push service: its box to include it, and its fields once included. */
function PushRoute(props: { name: Route; title: string; hint: string; on: boolean; onToggle: (on: boolean) => void; error: string | undefined; noneError: string | undefined; children: ReactNode }) {
  const { name, title, hint, on, onToggle, error, noneError, children } = props;
  const id = `push-${name}`;
  // A problem of the route as a whole (a setting the form does not show), or "include at least one".
  const describedBy = [error ? `${id}-error` : null, noneError ? 'push-routes-error' : null, `${id}-hint`].filter(Boolean).join(' ');
  return (
    <fieldset className={`push-route${on ? ' included' : ''}`}>
      <legend>{title}</legend>
      <div className="field checkbox-line">
        <input id={id} type="checkbox" checked={on} onChange={(e) => onToggle(e.target.checked)} aria-invalid={error || noneError ? true : undefined} aria-describedby={describedBy} />
        <label htmlFor={id}>Include {title}</label>
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
        <FieldError id={`${id}-error`} message={error} />
      </div>
      {on && <div className="provider-grid">{children}</div>}
    </fieldset>
  );
}
