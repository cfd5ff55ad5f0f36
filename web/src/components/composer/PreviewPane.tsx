/**
 * The message as one real user would get it: rendered by the server (POST /v1/preview) for the user id typed
 * or picked, with their latest entry event as Event, again after each pause in editing. An email's HTML is
 * shown in a sandboxed frame with no scripts; everything else as text.
 */
import { useEffect, useId, useState } from 'react';
import type { ContentField } from '../../lib/channel-fields.ts';
import type { PreviewResult } from '../../lib/catalog.ts';
import { useStore } from '../../store/index.ts';

const PAUSE_MS = 400;

type State = { status: 'idle' } | { status: 'loading' } | { status: 'done'; result: PreviewResult } | { status: 'error'; message: string };

export function PreviewPane({ channel, message, fields, entryEvent }: { channel: string; message: Record<string, unknown>; fields: readonly ContentField[]; entryEvent: string | undefined }) {
  const userId = useStore((s) => s.previewUser);
  const recent = useStore((s) => s.recentPreviewUsers);
  // The user open on the users page is a likely one to try.
  const viewed = useStore((s) => s.user?.id);
  const suggestions = [...new Set([...recent, ...(viewed ? [viewed] : [])])];
  const setPreviewUser = useStore((s) => s.setPreviewUser);
  const previewMessage = useStore((s) => s.previewMessage);
  const [typed, setTyped] = useState(userId);
  const [state, setState] = useState<State>({ status: 'idle' });
  const inputId = useId();
  const listId = useId();

  const content = Object.fromEntries(fields.flatMap((f) => (typeof message[f.name] === 'string' ? [[f.name, message[f.name] as string]] : [])));
  const key = JSON.stringify([channel, content, userId, entryEvent]);

  useEffect(() => {
    if (userId === '') return setState({ status: 'idle' });
    let live = true;
    setState((s) => (s.status === 'done' ? s : { status: 'loading' }));
    const timer = setTimeout(() => {
      previewMessage({ channel, content, userId, ...(entryEvent ? { event: entryEvent } : {}) }).then(
        (result) => live && setState({ status: 'done', result }),
        (error: unknown) => live && setState({ status: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
    }, PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // The key holds everything the request depends on.
  }, [key, previewMessage]);

  return (
    <section className="preview" aria-labelledby={`${inputId}-title`}>
      <div className="preview-head">
        <h3 id={`${inputId}-title`}>Preview</h3>
        <div className="preview-user">
          <label htmlFor={inputId}>For user</label>
          <input
            id={inputId}
            value={typed}
            placeholder="user id"
            autoComplete="off"
            list={suggestions.length > 0 ? listId : undefined}
            onChange={(e) => setTyped(e.target.value)}
            onBlur={() => setPreviewUser(typed)}
            onKeyDown={(e) => e.key === 'Enter' && setPreviewUser(typed)}
          />
          {suggestions.length > 0 && (
            <datalist id={listId}>
              {suggestions.map((u) => (
                <option key={u} value={u} />
              ))}
            </datalist>
          )}
        </div>
      </div>
      <div className="preview-body" aria-live="polite" aria-busy={state.status === 'loading'}>
        {state.status === 'idle' && <p className="muted">Enter a user id to see this message as they would get it.</p>}
        {state.status === 'loading' && <p className="muted">Rendering…</p>}
        {state.status === 'error' && <p className="field-error">{state.message}</p>}
        {state.status === 'done' && <Rendered channel={channel} fields={fields} result={state.result} userId={userId} entryEvent={entryEvent} />}
      </div>
    </section>
  );
}

function Rendered({ channel, fields, result, userId, entryEvent }: { channel: string; fields: readonly ContentField[]; result: PreviewResult; userId: string; entryEvent: string | undefined }) {
  const { rendered, problems } = result;
  const text = (name: string) => rendered[name] ?? '';
  return (
    <>
      {!result.userFound && <p className="preview-note">“{userId}” has no profile: Profile is empty, so traits render blank or as their default.</p>}
      {channel === 'push' && (
        <div className="preview-push">
          <strong>{text('title')}</strong>
          <p>{text('body')}</p>
        </div>
      )}
      {(channel === 'sms' || channel === 'whatsapp') && <p className="preview-sms">{text('body')}</p>}
      {channel === 'email' && (
        <div className="preview-email">
          <div className="preview-subject">
            <span className="muted">Subject</span> {text('subject')}
          </div>
          {/* No allow-scripts: the HTML is shown, never run. */}
          <iframe title="Email body as rendered" sandbox="" srcDoc={text('body')} />
        </div>
      )}
      {!['push', 'sms', 'whatsapp', 'email'].includes(channel) && (
        <dl className="preview-fields">
          {fields.map((f) => (
            <div key={f.name}>
              <dt>{f.label}</dt>
              <dd>
                <pre>{text(f.name)}</pre>
              </dd>
            </div>
          ))}
        </dl>
      )}
      <p className="preview-event">{result.event?.name ? `Event: their latest “${result.event.name}”.` : `Event is empty: they have no${entryEvent ? ` “${entryEvent}”` : ''} event.`}</p>
      {problems.length > 0 && (
        <ul className="field-errors">
          {problems.map((p, i) => (
            <li key={i}>
              {p.field ? `${fields.find((f) => f.name === p.field)?.label ?? p.field}: ` : ''}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
