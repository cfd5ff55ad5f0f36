import { sentence } from '../../lib/settings-form.ts';

/** The server's (or the form's) word about one field, tied to it by id for screen readers. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="field-error">
      {sentence(message)}
    </p>
  );
}

/** The attributes a control with a possible error carries. */
export function invalidProps(id: string, message: string | undefined, hint?: string) {
  const describedBy = [message ? id : null, hint ?? null].filter(Boolean).join(' ');
  return { 'aria-invalid': message ? true : undefined, 'aria-describedby': describedBy || undefined };
}
