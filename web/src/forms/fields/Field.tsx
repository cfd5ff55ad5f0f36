/**
 * One labelled form field: its label, a hint, and the server's problems at its JSON pointer (or a local one,
 * such as "not a duration"), tied to the control with aria-describedby so a screen reader reads them. A
 * publish check's warning shows in amber and does not mark the field invalid.
 */
import { createContext, useContext, useId, useMemo, type ReactNode } from 'react';
import { fieldProblems, problemsAt, problemsWithin, rebase, type FieldProblem, type PathProblem } from '../../lib/field-problems.ts';
import { useStore } from '../../store/index.ts';

/** The problems of the whole definition, at paths into the current copy: fields pick theirs by path. */
export const ProblemsContext = createContext<readonly PathProblem[]>([]);

/** The editor's problems for the ProblemsContext: the server's paths moved onto the copy as it is now. */
export function useCurrentProblems(): PathProblem[] {
  const problems = useStore((s) => s.editor?.problems);
  const checked = useStore((s) => s.editor?.checked ?? null);
  const draft = useStore((s) => s.editor?.current.draft);
  return useMemo(() => (problems && draft ? rebase(problems, checked, draft) : []), [problems, checked, draft]);
}

/** The problems at `path` (or under it, with `within`). */
export function useProblems(path: string | undefined, within = false): FieldProblem[] {
  const problems = useContext(ProblemsContext);
  if (path === undefined) return [];
  return fieldProblems(within ? problemsWithin(problems, path) : problemsAt(problems, path));
}

export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

export function Field({
  label,
  path,
  within = false,
  hint,
  error,
  className,
  children,
}: {
  label: ReactNode;
  /** The JSON pointer whose problems show here: "/nodes/3/duration". */
  path?: string;
  /** Also the problems under `path` (a list edited as a whole). */
  within?: boolean;
  hint?: ReactNode;
  /** A problem found before the server sees it. */
  error?: string | null;
  className?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const problems = [...(error ? [{ message: error, warning: false }] : []), ...useProblems(path, within)];
  const invalid = problems.some((p) => !p.warning);
  const described = [hint ? `${id}-hint` : '', problems.length > 0 ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(invalid ? { 'aria-invalid': true } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldErrors id={`${id}-error`} problems={problems} />
    </div>
  );
}

/** A field's problems (a plain string is an error); also used under groups (a fieldset) that have no single control. */
export function FieldErrors({ id, problems }: { id?: string; problems: readonly (FieldProblem | string)[] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="field-errors" id={id}>
      {problems.map((p) => {
        const { message, warning } = typeof p === 'string' ? { message: p, warning: false } : p;
        return (
          <li key={message} className={warning ? 'warning' : undefined}>
            {message}
          </li>
        );
      })}
    </ul>
  );
}

/** A group of controls under one legend (weekdays, a filter list), with the problems at its path. */
export function Group({ legend, path, within = false, hint, children, className }: { legend: ReactNode; path?: string; within?: boolean; hint?: ReactNode; children: ReactNode; className?: string }) {
  const problems = useProblems(path, within);
  return (
    <fieldset className={`group${className ? ` ${className}` : ''}`}>
      <legend>{legend}</legend>
      {hint && <p className="hint group-hint">{hint}</p>}
      {children}
      <FieldErrors problems={problems} />
    </fieldset>
  );
}
