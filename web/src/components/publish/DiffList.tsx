import type { DiffLine } from '../../lib/diff.ts';
import '../../styles/publish.css';

/** A glance at the kind of change; the title says it in words. */
const MARK: Record<DiffLine['change'], string> = { added: '+', removed: '−', changed: '~' };

/** What changed, a line per node, goal, setting or path, each field old → new. */
export function DiffList({ lines, label }: { lines: DiffLine[]; label: string }) {
  return (
    <ul className="diff-list" aria-label={label}>
      {lines.map((line, i) => (
        <li key={i} className={`diff-line diff-${line.change}`}>
          <span className="diff-mark" aria-hidden="true">
            {MARK[line.change]}
          </span>
          <div className="diff-body">
            <span className="diff-title">{line.title}</span>
            {line.fields.length > 0 && (
              <ul className="diff-fields">
                {line.fields.map((field, j) => (
                  <li key={j}>
                    {field.field && <span className="diff-field">{field.field}</span>} <del className="diff-before">{field.before}</del>{' '}
                    <span aria-hidden="true" className="diff-arrow">
                      →
                    </span>
                    <span className="visually-hidden">becomes</span> <ins className="diff-after">{field.after}</ins>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
