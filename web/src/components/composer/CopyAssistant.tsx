/**
 * The copy assistant in the composer: "Suggest" asks the project's language model for variants of this
 * message (POST /v1/copy/suggest: each already checked by the server), each previewed for the preview user;
 * "Use" fills the fields with one; two or more selected become an A/B split on the canvas, one send per
 * variant, so the journey measures which converts. With no model set, it says how to set one.
 */
import { useEffect, useId, useState } from 'react';
import { client, unwrap } from '../../api/client.ts';
import type { PreviewResult } from '../../lib/catalog.ts';
import { MAX_AB_VARIANTS, splitIntoVariants } from '../../lib/edit.ts';
import { useStore } from '../../store/index.ts';

type Suggestion = { model: string; variants: Array<{ content: Record<string, string>; repaired: boolean }>; dropped: Array<{ content: Record<string, unknown>; problems: Array<{ field: string; message: string }> }> };
type State = { status: 'idle' } | { status: 'loading' } | { status: 'error'; message: string } | { status: 'done'; result: Suggestion };

const TONES = ['friendly', 'playful', 'urgent', 'formal', 'concise'];

export function CopyAssistant({ nodeId, channel, entryEvent, goal, onUse }: { nodeId: string; channel: string; entryEvent: string | undefined; goal: string | undefined; onUse: (content: Record<string, string>) => void }) {
  const [configured, setConfigured] = useState<boolean | null>(null);
  const [tone, setTone] = useState('friendly');
  const [language, setLanguage] = useState('English');
  const [count, setCount] = useState(3);
  const [state, setState] = useState<State>({ status: 'idle' });
  const [chosen, setChosen] = useState<number[]>([]);
  const edit = useStore((s) => s.edit);
  const select = useStore((s) => s.select);
  const navigate = useStore((s) => s.navigate);
  const id = useId();

  useEffect(() => {
    let live = true;
    unwrap(client.GET('/v1/copy/provider')).then(
      (p) => live && setConfigured(p.configured),
      () => live && setConfigured(null),
    );
    return () => {
      live = false;
    };
  }, []);

  const suggest = async () => {
    setState({ status: 'loading' });
    setChosen([]);
    try {
      const body = { channel: channel as 'push', n: count, tone, language, ...(entryEvent ? { event: entryEvent } : {}), ...(goal ? { goal } : {}) };
      const result = (await unwrap(client.POST('/v1/copy/suggest', { body }))) as Suggestion;
      setState({ status: 'done', result });
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 409) setConfigured(false);
      setState({ status: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  };

  const makeSplit = () => {
    if (state.status !== 'done') return;
    const messages = chosen.map((i) => state.result.variants[i]!.content);
    let split: string | null = null;
    edit('Make an A/B split', (snapshot) => {
      const made = splitIntoVariants(snapshot, nodeId, messages);
      split = made.splitId;
      return made.snapshot;
    });
    if (split) select([split]);
  };

  if (configured === false) {
    return (
      <section className="copy-assistant" aria-labelledby={`${id}-title`}>
        <h3 id={`${id}-title`}>Copy assistant</h3>
        <p className="muted">
          No language model is set. An admin can choose one under{' '}
          <a
            href="/settings"
            onClick={(e) => {
              e.preventDefault();
              navigate({ page: 'settings' });
            }}
          >
            Settings → Copy assistant
          </a>
          : any server that speaks the OpenAI chat-completions API, hosted or local (Ollama, llama.cpp, vLLM).
        </p>
      </section>
    );
  }

  return (
    <section className="copy-assistant" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Copy assistant</h3>
      <div className="copy-controls">
        <label>
          Tone
          <select value={tone} onChange={(e) => setTone(e.target.value)}>
            {TONES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <label>
          Language
          <input value={language} maxLength={50} onChange={(e) => setLanguage(e.target.value)} />
        </label>
        <label>
          Variants
          <input type="number" min={1} max={5} value={count} onChange={(e) => setCount(Math.min(5, Math.max(1, Number(e.target.value) || 1)))} />
        </label>
        <button type="button" className="button" onClick={() => void suggest()} disabled={state.status === 'loading' || language.trim() === ''}>
          {state.status === 'loading' ? 'Suggesting…' : 'Suggest'}
        </button>
      </div>
      <div aria-live="polite">
        {state.status === 'error' && <p className="field-error">{state.message}</p>}
        {state.status === 'done' && (
          <>
            {state.result.variants.length === 0 && <p className="muted">No variant passed the checks: try again, or another tone.</p>}
            <ol className="copy-variants">
              {state.result.variants.map((v, i) => (
                <li key={i} className="copy-variant">
                  <VariantPreview channel={channel} content={v.content} entryEvent={entryEvent} />
                  <div className="copy-variant-actions">
                    <label>
                      <input type="checkbox" checked={chosen.includes(i)} onChange={(e) => setChosen((c) => (e.target.checked ? [...c, i].sort((a, b) => a - b) : c.filter((x) => x !== i)))} />
                      A/B
                    </label>
                    <button type="button" className="button" onClick={() => onUse(v.content)} aria-label={`Use variant ${i + 1}`}>
                      Use
                    </button>
                    {v.repaired && <span className="muted">fixed once</span>}
                  </div>
                </li>
              ))}
            </ol>
            {state.result.variants.length > 1 && (
              <button type="button" className="button" disabled={chosen.length < 2 || chosen.length > MAX_AB_VARIANTS} onClick={makeSplit}>
                Make an A/B split{chosen.length >= 2 ? ` of ${chosen.length}` : ''}
              </button>
            )}
            {state.result.dropped.length > 0 && (
              <details className="copy-dropped">
                <summary>{state.result.dropped.length} dropped by the checks</summary>
                <ul>
                  {state.result.dropped.map((d, i) => (
                    <li key={i}>
                      <code>{Object.values(d.content).map(String).join(' / ')}</code>
                      <ul>
                        {d.problems.map((p, j) => (
                          <li key={j}>{p.field ? `${p.field}: ${p.message}` : p.message}</li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ul>
              </details>
            )}
            <p className="muted">Written by {state.result.model}; every call is in the copy log (GET /v1/copy/log).</p>
          </>
        )}
      </div>
    </section>
  );
}

/** A variant as the preview user would get it (rendered by the server), or its templates when no user is chosen. */
function VariantPreview({ channel, content, entryEvent }: { channel: string; content: Record<string, string>; entryEvent: string | undefined }) {
  const userId = useStore((s) => s.previewUser);
  const previewMessage = useStore((s) => s.previewMessage);
  const [rendered, setRendered] = useState<PreviewResult | null>(null);
  const key = JSON.stringify([channel, content, userId, entryEvent]);
  useEffect(() => {
    if (userId === '') return setRendered(null);
    let live = true;
    previewMessage({ channel, content, userId, ...(entryEvent ? { event: entryEvent } : {}) }).then(
      (r) => live && setRendered(r),
      () => live && setRendered(null),
    );
    return () => {
      live = false;
    };
  }, [key, previewMessage]);
  const shown = rendered?.rendered ?? content;
  return (
    <div className="copy-variant-text" title={rendered ? `As ${userId} would get it` : 'Choose a preview user to see it rendered'}>
      {Object.entries(content).map(([field]) => (
        <p key={field}>
          <span className="muted">{field}</span> {shown[field] ?? content[field]}
        </p>
      ))}
      {rendered && <p className="muted copy-for">for {userId}</p>}
    </div>
  );
}
