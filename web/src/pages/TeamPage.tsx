import { Page } from '../components/Page.tsx';
import { NewMemberForm } from '../components/team/NewMemberForm.tsx';
import { TeamTable } from '../components/team/TeamTable.tsx';
import { useStore } from '../store/index.ts';
import '../styles/access.css';

/** The people who sign in to this dashboard, for admins (not the product's users: those are under Users). */
export function TeamPage() {
  const team = useStore((s) => s.team);
  const error = useStore((s) => s.teamError);
  return (
    <Page title="Team" lead="Who signs in to this dashboard. Viewers read everything; editors also change journeys; admins also manage keys, the team, providers and settings." error={error}>
      <NewMemberForm />
      {team ? <TeamTable team={team} /> : !error && <div className="panel skeleton" role="status" aria-busy="true" aria-label="Loading the team" />}
    </Page>
  );
}
