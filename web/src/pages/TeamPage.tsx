import { useEffect } from 'react';
import { NoticeBar } from '../components/NoticeBar.tsx';
import { NewMemberForm } from '../components/team/NewMemberForm.tsx';
import { TeamTable } from '../components/team/TeamTable.tsx';
import { useStore } from '../store/index.ts';
import '../styles/pages.css';
import '../styles/access.css';

/** The people who sign in to this dashboard, for admins (not the product's users: those are under Users). */
export function TeamPage() {
  const team = useStore((s) => s.team);
  const error = useStore((s) => s.teamError);

  useEffect(() => {
    document.title = 'Team · Waymark';
  }, []);

  return (
    <main className="page narrow-page">
      <div className="page-head">
        <div>
          <h1>Team</h1>
          <p className="muted">Who signs in to this dashboard. Viewers read everything; editors also change journeys; admins also manage keys, the team, providers and settings.</p>
        </div>
      </div>
      <NoticeBar />
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <NewMemberForm />
      {team ? <TeamTable team={team} /> : !error && <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading the team" />}
    </main>
  );
}
