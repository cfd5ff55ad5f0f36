import { Page } from '../components/Page.tsx';
import { RoleHint } from '../components/RoleHint.tsx';
import { CopyAssistantPanel } from '../components/settings/CopyAssistantPanel.tsx';
import { DeliveryPanel } from '../components/settings/DeliveryPanel.tsx';
import { SettingsForm } from '../components/settings/SettingsForm.tsx';
import { can } from '../lib/roles.ts';
import { useStore } from '../store/index.ts';

/** Project settings: the time zone and frequency caps (GET/PUT /v1/settings), each channel's delivery provider, and the copy assistant's model. API keys have a page of their own. */
export function SettingsPage() {
  const settings = useStore((s) => s.settings);
  const read = useStore((s) => s.settingsRead);
  const error = useStore((s) => s.settingsError);
  const admin = useStore((s) => can(s.role, 'admin'));
  return (
    <Page title="Settings" lead="What applies to every journey of the project." error={error}>
      <RoleHint need="admin" className="panel-hint" />
      {/* A disabled fieldset disables every control inside: others read the settings, only an admin saves them (pages.css hides their buttons). */}
      <fieldset className={`plain-fieldset${admin ? '' : ' read-only'}`} disabled={!admin}>
        {settings ? <SettingsForm key={read} settings={settings} /> : !error && <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading the settings" />}
        <DeliveryPanel />
        <CopyAssistantPanel />
      </fieldset>
    </Page>
  );
}
