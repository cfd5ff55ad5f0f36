import { useStore } from '../../store/index.ts';
import type { LogMessage } from '../../store/messages.ts';

/** "Send again" on a dead letter's row, for admins (the table shows it only to them): back to the queue under its own id. */
export function ResendButton({ m }: { m: LogMessage }) {
  const resend = useStore((s) => s.resendMessage);
  const busy = useStore((s) => s.busy[`resend:${m.id}`] === true);
  return (
    <button
      type="button"
      className="button small resend"
      aria-label={`Send again: the ${m.nodeId} message to ${m.userId}`}
      disabled={busy}
      onClick={() => void resend(m.id)}
    >
      {busy ? 'Sending…' : 'Send again'}
    </button>
  );
}
