import { useEffect, useMemo, useState } from 'react';
import type { Journey } from '../../api/client.ts';
import { diffDefinitions, type DiffDefinition } from '../../lib/diff.ts';
import { figuresOf } from '../../lib/figures.ts';
import { formatCount } from '../../lib/format.ts';
import { isDirty } from '../../store/editor.ts';
import { useStore } from '../../store/index.ts';
import type { PublishPlan } from '../../store/versions.ts';
import { Dialog } from '../Dialog.tsx';
import { Time } from '../Time.tsx';
import { CheckList } from './CheckList.tsx';
import { DiffList } from './DiffList.tsx';
import { MoveUsersChoice } from './MoveUsersChoice.tsx';
import '../../styles/publish.css';

/**
 * Publishing the draft, looked at first: which version it becomes, what changed since the running one, the
 * checks, and (with users in flight) whether they move to it. Then the outcome: the version, the users
 * moved, the warnings; or every problem that refused it.
 */
export function PublishDialog({ journey, onClose }: { journey: Journey; onClose: () => void }) {
  const plan = useStore((s) => (s.publishPlan?.journeyId === journey.id ? s.publishPlan : null));
  const preparePublish = useStore((s) => s.preparePublish);
  const closePublish = useStore((s) => s.closePublish);
  const loadSettings = useStore((s) => s.loadSettings);

  useEffect(() => {
    void preparePublish(journey.id);
    if (!useStore.getState().settings) void loadSettings();
    return () => closePublish();
  }, [journey.id, preparePublish, closePublish, loadSettings]);

  return (
    <Dialog title={plan?.result ? `Published “${journey.name}”` : `Publish “${journey.name}”`} onClose={onClose}>
      <div className="publish-dialog">
        {!plan || plan.loading ? (
          <div className="skeleton publish-loading" role="status" aria-busy="true" aria-label="Reading the draft and the versions" />
        ) : plan.result ? (
          <Outcome plan={plan} result={plan.result} onClose={onClose} />
        ) : plan.draft ? (
          <Review journey={journey} plan={plan} draft={plan.draft as unknown as DiffDefinition} onClose={onClose} />
        ) : (
          <>
            <p className="notice notice-error" role="alert">
              {plan.error}
            </p>
            <div className="dialog-actions">
              <button type="button" className="button" onClick={onClose} autoFocus>
                Close
              </button>
            </div>
          </>
        )}
      </div>
    </Dialog>
  );
}

function Review({ journey, plan, draft, onClose }: { journey: Journey; plan: PublishPlan; draft: DiffDefinition; onClose: () => void }) {
  const publishDraft = useStore((s) => s.publishDraft);
  const preparePublish = useStore((s) => s.preparePublish);
  const saveDraft = useStore((s) => s.saveDraft);
  const dirty = useStore((s) => s.editor?.journeyId === journey.id && isDirty(s.editor));
  const saving = useStore((s) => s.editor?.journeyId === journey.id && s.editor.saving);
  const inFlight = useStore((s) => (s.open?.journey.id === journey.id ? figuresOf(s.open.stats).inJourney : null));
  const [move, setMove] = useState(false);

  const running = plan.running;
  const next = (running?.version ?? 0) + 1;
  const lines = useMemo(() => (running ? diffDefinitions(running.definition as unknown as DiffDefinition, draft) : []), [running, draft]);
  const errors = plan.checks.filter((c) => c.severity === 'error');
  // Unknown (the server does not count them) is asked too: moving nobody costs nothing.
  const askMove = running !== null && inFlight !== 0;

  return (
    <>
      {dirty && (
        <div className="publish-unsaved" role="note">
          <p>You have unsaved changes. Publishing publishes the saved draft, without them.</p>
          <button type="button" className="button small" disabled={saving} onClick={async () => void ((await saveDraft()) && (await preparePublish(journey.id)))}>
            {saving ? 'Saving…' : 'Save changes first'}
          </button>
        </div>
      )}

      <p className="publish-what">
        {running ? (
          <>
            This publishes the draft as <strong>version {next}</strong>. Version {running.version} runs now, published <Time at={running.publishedAt} />.
          </>
        ) : (
          <>
            This publishes the draft as <strong>version 1</strong>, the first: users who qualify start entering it.
          </>
        )}
      </p>

      <section aria-labelledby="publish-changes-title">
        <h3 id="publish-changes-title">{running ? `Changes since version ${running.version}` : 'Changes'}</h3>
        {!running ? (
          <p className="publish-empty">First version: nothing runs yet to compare it with.</p>
        ) : lines.length > 0 ? (
          <DiffList lines={lines} label={`Changes since version ${running.version}`} />
        ) : (
          <p className="publish-empty">No changes since version {running.version}: publishing makes an identical version.</p>
        )}
      </section>

      <section aria-labelledby="publish-checks-title">
        <h3 id="publish-checks-title">Checks</h3>
        {plan.refused ? (
          <div className="publish-refused" role="alert">
            <p>
              <strong>Not published.</strong> The publish checks found {plan.refused.length === 1 ? 'a problem' : `${plan.refused.length} problems`} to fix in the draft first:
            </p>
            <CheckList checks={plan.refused} definition={draft} label="Problems that stopped the publish" />
          </div>
        ) : plan.checks.length > 0 ? (
          <CheckList checks={plan.checks} definition={draft} label="Checks" />
        ) : (
          <p className="publish-empty">{plan.checksRan ? 'The publish checks found nothing.' : 'The draft is valid.'}</p>
        )}
        {!plan.checksRan && !plan.refused && <p className="hint">The publish checks run as you publish: an error stops it and is listed here; warnings come with the result.</p>}
        {errors.length > 0 && <p className="field-error">Fix the errors above in the draft before publishing.</p>}
      </section>

      {askMove && <MoveUsersChoice running={running.version} next={next} inFlight={inFlight} move={move} onChange={setMove} />}

      {plan.error && (
        <p className="notice notice-error" role="alert">
          {plan.error}
        </p>
      )}

      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="button primary" disabled={plan.publishing || errors.length > 0} onClick={() => void publishDraft(askMove && move)}>
          {plan.publishing ? 'Publishing…' : `Publish version ${next}`}
        </button>
      </div>
    </>
  );
}

function Outcome({ plan, result, onClose }: { plan: PublishPlan; result: NonNullable<PublishPlan['result']>; onClose: () => void }) {
  const users = (n: number) => `${formatCount(n)} ${n === 1 ? 'user' : 'users'}`;
  const warnings = result.warnings.map((w) => ({ ...w, severity: 'warning' as const }));
  return (
    <>
      <div className="publish-done" role="status">
        <p className="publish-done-title">Version {result.version} is live.</p>
        <p>
          Published <Time at={result.publishedAt} />.{' '}
          {plan.movedAsked
            ? `${users(result.moved)} moved to version ${result.version} at the node they were at.`
            : plan.running
              ? `Users already in the journey stay on version ${plan.running.version}.`
              : 'Users who qualify enter it from now on.'}
        </p>
      </div>
      <section aria-labelledby="publish-warnings-title">
        <h3 id="publish-warnings-title">Warnings</h3>
        {warnings.length > 0 ? (
          <CheckList checks={warnings} definition={result.definition as unknown as DiffDefinition} label="Warnings" />
        ) : (
          <p className="publish-empty">The publish checks found nothing to warn about.</p>
        )}
      </section>
      <div className="dialog-actions">
        <button type="button" className="button primary" onClick={onClose} autoFocus>
          Done
        </button>
      </div>
    </>
  );
}
