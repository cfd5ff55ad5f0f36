import { PROVIDER_LABEL } from '../../lib/delivery.ts';
import type { LogMessage } from '../../store/messages.ts';
import { Time } from '../Time.tsx';

/** Who took a message, after how many attempts, and when the next is due for one being retried. */
export function DeliveryCell({ m }: { m: LogMessage }) {
  const retrying = m.status === 'pending' && m.attempts > 0 && m.nextAttemptAt !== null;
  return (
    <>
      <div>{m.provider ? (PROVIDER_LABEL[m.provider] ?? m.provider) : <span className="muted">—</span>}</div>
      {m.attempts > 0 && <div className="delivery-line">{m.attempts === 1 ? '1 attempt' : `${m.attempts} attempts`}</div>}
      {retrying && (
        <div className="delivery-line">
          next at <Time at={m.nextAttemptAt} />
        </div>
      )}
    </>
  );
}
