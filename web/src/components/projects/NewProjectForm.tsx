import { useId, useRef, useState, type FormEvent } from 'react';
import { projectIdProblem, projectSlug } from '../../lib/projects.ts';
import type { Problem } from '../../lib/settings-form.ts';
import { useStore } from '../../store/index.ts';
import type { MadeProject } from '../../store/projects.ts';

type Field = 'name' | 'id';
const fieldOf = (problem: Problem): Field | null => (problem.path === '/name' ? 'name' : problem.path === '/id' ? 'id' : null);

/**
 * A new project's name and id. The id follows the name ("Shop B" → shop-b) until it is typed in. Its shape is
 * checked here; the rest ("default", an id taken) is the server's answer, shown under the field it names.
 */
export function NewProjectForm({ onMade, onCancel }: { onMade: (made: MadeProject) => void; onCancel: () => void }) {
  const createProject = useStore((s) => s.createProject);
  const [name, setName] = useState('');
  const [typedId, setTypedId] = useState<string | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [pending, setPending] = useState(false);
  const inputs = useRef<Record<Field, HTMLInputElement | null>>({ name: null, id: null });
  const base = useId();
  const id = typedId ?? projectSlug(name);

  const fail = (found: Problem[]) => {
    setProblems(found);
    const field = found.map(fieldOf).find((f) => f !== null);
    if (field) inputs.current[field]?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    if (!name.trim()) return fail([{ path: '/name', message: 'Give the project a name.' }]);
    const shape = projectIdProblem(id);
    if (shape) return fail([{ path: '/id', message: shape }]);
    setPending(true);
    const answer = await createProject(id, name.trim());
    setPending(false);
    if ('made' in answer) onMade(answer.made);
    else fail(answer.problems);
  };

  const field = (which: Field, label: string, value: string, change: (value: string) => void, hint: string) => {
    const own = problems.filter((p) => fieldOf(p) === which);
    const ids = { input: `${base}-${which}`, hint: `${base}-${which}-hint`, error: `${base}-${which}-error` };
    return (
      <div className="field">
        <label htmlFor={ids.input}>{label}</label>
        <input
          id={ids.input}
          ref={(el) => {
            inputs.current[which] = el;
          }}
          value={value}
          maxLength={which === 'name' ? 100 : undefined}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={own.length > 0 || undefined}
          aria-describedby={own.length > 0 ? `${ids.hint} ${ids.error}` : ids.hint}
          onChange={(event) => {
            change(event.target.value);
            setProblems((all) => all.filter((p) => fieldOf(p) !== which));
          }}
        />
        <p id={ids.hint} className="hint">
          {hint}
        </p>
        {own.length > 0 && (
          <p id={ids.error} className="field-error" role="alert">
            {own.map((p) => p.message).join(' ')}
          </p>
        )}
      </div>
    );
  };

  const general = problems.filter((p) => fieldOf(p) === null);
  return (
    <form className="form new-project-form" onSubmit={submit} noValidate>
      {field('name', 'Name', name, setName, 'The brand or app, as your team calls it, e.g. Shop B.')}
      {field('id', 'Id', id, setTypedId, `In URLs (/p/${id || 'shop-b'}/…) and the CLI; it cannot be changed. 1 to 32 lowercase letters, digits and dashes, a letter first.`)}
      {general.length > 0 && (
        <p className="field-error" role="alert">
          {general.map((p) => p.message).join(' ')}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? 'Creating…' : 'Create project'}
        </button>
      </div>
    </form>
  );
}
