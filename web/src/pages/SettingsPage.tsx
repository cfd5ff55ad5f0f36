import { useEffect } from 'react';
import { NoticeBar } from '../components/NoticeBar.tsx';
import { CopyAssistantPanel } from '../components/settings/CopyAssistantPanel.tsx';
import { DeliveryPanel } from '../components/settings/DeliveryPanel.tsx';
import { SettingsForm } from '../components/settings/SettingsForm.tsx';
import { can } from '../lib/roles.ts';
import { useStore } from '../store/index.ts';
import '../styles/pages.css';

/** Project settings: the time zone and frequency caps (GET/PUT /v1/settings), each channel's delivery provider, and the copy assistant's model. API keys have a page of their own. */
export function SettingsPage() {
  const settings = useStore((s) => s.settings);
  const read = useStore((s) => s.settingsRead);
  const error = useStore((s) => s.settingsError);
  const admin = useStore((s) => can(s.role, 'admin'));

  useEffect(() => {
    document.title = 'Settings · Waymark';
  }, []);

  return (
    <main className="page narrow-page">
      <div className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="muted">What applies to every journey of the project.</p>
        </div>
      </div>
      <NoticeBar />
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {!admin && <p className="notice">Only an admin changes settings: you can read them here.</p>}
      {/* A disabled fieldset disables every control inside: others read the settings, only an admin saves them. */}
      <fieldset className="plain-fieldset" disabled={!admin}>
        {settings ? <SettingsForm key={read} settings={settings} /> : !error && <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading the settings" />}
        <DeliveryPanel />
        <CopyAssistantPanel />
      </fieldset>
    </main>
  );
}
