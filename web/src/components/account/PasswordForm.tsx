import { useId, useRef, useState, type FormEvent } from 'react';
import { MIN_PASSWORD, newPasswordProblem } from '../../lib/passwords.ts';
import { useStore } from '../../store/index.ts';

type Field = 'current' | 'new' | 'confirm';
type Problem = { field: Field | null; message: string };

/** Which field a server's message is about: it names the body's field ("oldPassword is not your current password"). */
function fieldOf(message: string): Field | null {
  return /\boldPassword\b/.test(message) ? 'current' : /\bnewPassword\b/.test(message) ? 'new' : null;
}

/**
 * Changing one's own password: the current one, the new one twice. What can be checked here is (length,
 * the two alike); the rest is the server's answer, shown as it says it, under the field it names.
 */
export function PasswordForm({ email, onClose }: { email: string; onClose: () => void }) {
  const changePassword = useStore((s) => s.changePassword);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const id = useId();
  const inputs = useRef<Record<Field, HTMLInputElement | null>>({ current: null, new: null, confirm: null });

  const fail = (found: Problem) => {
    setProblem(found);
    if (found.field) inputs.current[found.field]?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    if (current === '') return fail({ field: 'current', message: 'Type your current password.' });
    const local = newPasswordProblem(next, confirm);
    if (local) return fail(local);
    setPending(true);
    const failed = await changePassword(current, next);
    setPending(false);
    if (failed !== null) {
      const field = fieldOf(failed);
      // The API names its body's field ("oldPassword is not ..."); a person reads it in words.
      return fail({ field, message: field === 'current' ? 'That is not your current password.' : failed });
    }
    setProblem(null);
    setDone(true);
  };

  if (done) {
    return (
      <div className="password-done">
        <p className="notice notice-success" role="status">
          Your password is changed. Use the new one next time you sign in; your other sessions were signed out.
        </p>
        <div className="dialog-actions">
          <button type="button" className="button primary" onClick={onClose} autoFocus>
            Done
          </button>
        </div>
      </div>
    );
  }

  const errorId = `${id}-error`;
  const error = (
    <p id={errorId} className="field-error" role="alert">
      {problem?.message}
    </p>
  );
  const input = (field: Field, label: string, value: string, set: (v: string) => void, autoComplete: string, hint?: string) => {
    const wrong = problem?.field === field;
    return (
      <div className="field">
        <label htmlFor={`${id}-${field}`}>{label}</label>
        <input
          id={`${id}-${field}`}
          ref={(el) => {
            inputs.current[field] = el;
          }}
          type="password"
          autoComplete={autoComplete}
          value={value}
          onChange={(event) => set(event.target.value)}
          aria-invalid={wrong || undefined}
          aria-describedby={wrong ? errorId : hint ? `${id}-${field}-hint` : undefined}
        />
        {hint && !wrong && (
          <p id={`${id}-${field}-hint`} className="hint">
            {hint}
          </p>
        )}
        {wrong && error}
      </div>
    );
  };

  return (
    <form className="password-form" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h3 id={`${id}-title`}>Change your password</h3>
      {/* For password managers: the account the new password belongs to. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      {input('current', 'Current password', current, setCurrent, 'current-password')}
      {input('new', 'New password', next, setNext, 'new-password', `At least ${MIN_PASSWORD} characters.`)}
      {input('confirm', 'Confirm the new password', confirm, setConfirm, 'new-password')}
      {/* An answer about no one field (too many attempts, say) goes under them all. */}
      {problem && problem.field === null && error}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={pending}>
          {pending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
