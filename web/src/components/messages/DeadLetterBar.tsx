import { useState } from 'react';
import { formatCount } from '../../lib/format.ts';
import { useStore } from '../../store/index.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';

/**
 * Above the dead letters (the status filter on "dead"), for admins: what a dead letter is, and "Send all
 * again", which asks first, saying how many the filters match (the server counts them: the page may show
 * only some).
 */
export function DeadLetterBar() {
  const count = useStore((s) => s.countDeadLetters);
  const resendAll = useStore((s) => s.resendDeadLetters);
  const busy = useStore((s) => s.busy['resend-all'] === true);
  const [asking, setAsking] = useState<number | null>(null);
  const [counting, setCounting] = useState(false);

  const ask = async () => {
    setCounting(true);
    const n = await count();
    setCounting(false);
    if (n !== null && n > 0) setAsking(n); // else the notice says why not
  };
  const letters = (n: number) => `${formatCount(n)} ${n === 1 ? 'dead letter' : 'dead letters'}`;

  return (
    <div className="panel dead-letter-bar">
      <p className="muted">
        Dead letters: every attempt failed for a passing reason (the provider was down), or an email was held in doubt after a crash (it may have
        arrived: check before sending it again). Sending one again queues it under its own id, so a provider that dedupes sees it once; a message
        recorded as sent is never sent again.
      </p>
      <button type="button" className="button" disabled={busy || counting} onClick={() => void ask()}>
        {busy ? 'Sending…' : counting ? 'Counting…' : 'Send all again'}
      </button>
      {asking !== null && (
        <ConfirmDialog
          title={`Send ${letters(asking)} again?`}
          text={`The ${letters(asking)} matching these filters go back to the queue, due now, each under its own id. Messages in any other status are left as they are.`}
          action={`Send ${formatCount(asking)} again`}
          onConfirm={() => void resendAll()}
          onClose={() => setAsking(null)}
        />
      )}
    </div>
  );
}
