/**
 * One labelled form field: its label, a hint, and the server's problems at its JSON pointer (or a local one,
 * such as "not a duration"), tied to the control with aria-describedby so a screen reader reads them.
 */
import { createContext, useContext, useId, type ReactNode } from 'react';
import { messagesOf, problemsAt, problemsWithin, type PathProblem } from '../../lib/problems.ts';

/** The problems of the whole definition, from the editor slice: fields pick theirs by path. */
export const ProblemsContext = createContext<readonly PathProblem[]>([]);

/** The messages at `path` (or under it, with `within`). */
export function useProblems(path: string | undefined, within = false): string[] {
  const problems = useContext(ProblemsContext);
  if (path === undefined) return [];
  return messagesOf(within ? problemsWithin(problems, path) : problemsAt(problems, path));
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
  const messages = [...(error ? [error] : []), ...useProblems(path, within)];
  const described = [hint ? `${id}-hint` : '', messages.length > 0 ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={`field${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, ...(messages.length > 0 ? { 'aria-invalid': true } : {}), ...(described ? { 'aria-describedby': described } : {}) })}
      {hint && (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldErrors id={`${id}-error`} messages={messages} />
    </div>
  );
}

/** A field's problems; also used under groups (a fieldset) that have no single control. */
export function FieldErrors({ id, messages }: { id?: string; messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <ul className="field-errors" id={id}>
      {messages.map((m) => (
        <li key={m}>{m}</li>
      ))}
    </ul>
  );
}

/** A group of controls under one legend (weekdays, a filter list), with the problems at its path. */
export function Group({ legend, path, within = false, hint, children, className }: { legend: ReactNode; path?: string; within?: boolean; hint?: ReactNode; children: ReactNode; className?: string }) {
  const messages = useProblems(path, within);
  return (
    <fieldset className={`group${className ? ` ${className}` : ''}`}>
      <legend>{legend}</legend>
      {hint && <p className="hint group-hint">{hint}</p>}
      {children}
      <FieldErrors messages={messages} />
    </fieldset>
  );
}
