/** An exit has nothing to set: it only says what happens there. */
export function ExitForm() {
  return <p className="muted form-note">Users who get here complete the journey (exit reason “completed”). An exit node has no way out.</p>;
}
