import { subjectOf } from '../../lib/check-subject.ts';
import type { DiffDefinition } from '../../lib/diff.ts';
import type { Check } from '../../store/versions.ts';
import '../../styles/publish.css';

/** Findings of the checks, errors first, each naming the node (or goal, or setting) it is about. */
export function CheckList({ checks, definition, label }: { checks: Check[]; definition: DiffDefinition | null; label: string }) {
  const sorted = [...checks.filter((c) => c.severity === 'error'), ...checks.filter((c) => c.severity === 'warning')];
  return (
    <ul className="check-list" aria-label={label}>
      {sorted.map((check, i) => {
        const subject = subjectOf(definition, check.path);
        return (
          <li key={i} className={`check check-${check.severity}`}>
            <span className="check-badge">{check.severity === 'error' ? 'Error' : 'Warning'}</span>
            <div>
              <span className="check-subject">
                {capitalized(subject.text)}
                {subject.field && (
                  <>
                    {' '}
                    <code className="check-field">{subject.field}</code>
                  </>
                )}
              </span>
              <span className="check-message">{check.message}</span>
            </div>
          </li>
        );
      })}
    </ul>
  );
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
