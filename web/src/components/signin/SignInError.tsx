export function SignInError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p id="signin-error" className="field-error" role="alert">
      {error}
    </p>
  );
}
