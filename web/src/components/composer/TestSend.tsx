/**
 * "Send test" in the composer: the node's saved message, rendered for the preview user, sent once through the
 * channel's real provider to an address typed here (POST /v1/journeys/:id/nodes/:node/test-send), and what
 * the provider answered. A webhook goes to its own URL. The server sends the saved draft, so a message with
 * unsaved edits asks to be saved first; with no provider set, the server's 409 says where to set one.
 */
import { useId, useState } from 'react';
import { useStore } from '../../store/index.ts';
import type { TestSendAnswer } from '../../store/delivery.ts';

type State = { status: 'idle' } | { status: 'sending' } | { status: 'done'; answer: TestSendAnswer } | { status: 'error'; message: string };

/** The address field for each address trait of the channel table. */
const ADDRESS: Record<string, { label: string; type: string; placeholder: string }> = {
  email: { label: 'Email address', type: 'email', placeholder: 'you@example.com' },
  phone: { label: 'Phone number', type: 'tel', placeholder: '+14155550100' },
  pushToken: { label: 'Push token', type: 'text', placeholder: 'a device token or Web Push subscription' },
};

export function TestSend({ journeyId, nodeId, channel, addressTrait, unsaved }: { journeyId: string; nodeId: string; channel: string; addressTrait: string | null; unsaved: boolean }) {
  const address = addressTrait ? (ADDRESS[addressTrait] ?? { label: addressTrait, type: 'text', placeholder: '' }) : null;
  const typed = useStore((s) => s.testAddresses[channel] ?? '');
  const setTestAddress = useStore((s) => s.setTestAddress);
  const testSend = useStore((s) => s.testSend);
  const [state, setState] = useState<State>({ status: 'idle' });
  const id = useId();

  const send = async () => {
    setState({ status: 'sending' });
    try {
      setState({ status: 'done', answer: await testSend(journeyId, nodeId, address ? typed.trim() : undefined) });
    } catch (error) {
      setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const blocked = state.status === 'sending' || unsaved || (address !== null && typed.trim() === '');
  return (
    <section className="test-send" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Send a test</h3>
      {/* Not a form of its own: the node panel may sit inside one, and forms do not nest. */}
      <div className="test-send-controls">
        {address ? (
          <label>
            {address.label}
            <input
              type={address.type}
              value={typed}
              placeholder={address.placeholder}
              autoComplete="off"
              maxLength={500}
              onChange={(e) => setTestAddress(channel, e.target.value)}
              onKeyDown={(e) => {
                if (e.key !== 'Enter') return;
                e.preventDefault();
                if (!blocked) void send();
              }}
            />
          </label>
        ) : (
          <p className="muted">It goes to the message's URL.</p>
        )}
        <button type="button" className="button" disabled={blocked} onClick={() => void send()}>
          {state.status === 'sending' ? 'Sending…' : 'Send test'}
        </button>
      </div>
      <div aria-live="polite">
        {unsaved && <p className="muted">Save the draft first: a test sends the saved message.</p>}
        {state.status === 'done' && <Answer answer={state.answer} />}
        {state.status === 'error' && <p className="field-error">{state.message}</p>}
      </div>
    </section>
  );
}

function Answer({ answer }: { answer: TestSendAnswer }) {
  const by = answer.provider ?? 'the provider';
  if (answer.status === 'sent') return <p className="test-send-ok">Sent: {by} took it (message id {answer.messageId}).</p>;
  if (answer.status === 'failed') return <p className="field-error">Refused by {by}: {answer.error}</p>;
  return <p className="field-error">Not sent: {by} did not take it this time ({answer.error}). A test is tried once.</p>;
}
