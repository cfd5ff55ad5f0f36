/**
 * The copy assistant's language model (GET/PUT/DELETE /v1/copy/provider): the base URL and model of any
 * server that speaks the OpenAI chat-completions API, hosted or local, and its key, write-only: once set it
 * is only said to be set, and left empty it is kept.
 */
import { useEffect, useState } from 'react';
import { client, unwrap } from '../../api/client.ts';

type View = { configured: boolean; settings: Record<string, unknown> };

export function CopyAssistantPanel() {
  const [view, setView] = useState<View | null>(null);
  const [baseUrl, setBaseUrl] = useState('');
  const [model, setModel] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const show = (v: View) => {
    setView(v);
    setBaseUrl(typeof v.settings.baseUrl === 'string' ? v.settings.baseUrl : '');
    setModel(typeof v.settings.model === 'string' ? v.settings.model : '');
    setApiKey('');
  };
  useEffect(() => {
    unwrap(client.GET('/v1/copy/provider')).then(show, (e: Error) => setMessage({ kind: 'error', text: e.message }));
  }, []);

  const save = async () => {
    try {
      const body = { baseUrl, model, ...(apiKey ? { apiKey } : {}) };
      show(await unwrap(client.PUT('/v1/copy/provider', { body })));
      setMessage({ kind: 'ok', text: 'Saved. The composer’s Suggest uses this model.' });
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  const remove = async () => {
    try {
      await unwrap(client.DELETE('/v1/copy/provider'));
      show({ configured: false, settings: {} });
      setMessage({ kind: 'ok', text: 'Removed: the copy assistant is off.' });
    } catch (e) {
      setMessage({ kind: 'error', text: (e as Error).message });
    }
  };
  const keySet = typeof view?.settings.apiKey === 'object';

  return (
    <section className="panel section-card" aria-labelledby="copy-title">
      <div className="section-head">
        <h2 id="copy-title">Copy assistant</h2>
      </div>
      <p className="muted">
        Suggests copy in the message composer, on the language model you choose: any server that speaks the OpenAI chat-completions API, hosted
        (e.g. <code>https://api.openai.com/v1</code>) or on your own machines (Ollama at <code>http://localhost:11434/v1</code>, llama.cpp’s server, vLLM).
        Only the channel, your brief and the names of traits and event properties are sent, never their values. {view && !view.configured && 'Nothing is set: the assistant is off.'}
      </p>
      <form
        className="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <label>
          Base URL
          <input name="baseUrl" value={baseUrl} required placeholder="http://localhost:11434/v1" onChange={(e) => setBaseUrl(e.target.value)} />
        </label>
        <label>
          Model
          <input name="model" value={model} required placeholder="llama3.1" onChange={(e) => setModel(e.target.value)} />
        </label>
        <label>
          API key {keySet && <span className="muted">(set: leave empty to keep it)</span>}
          <input name="apiKey" type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary">
            Save the model
          </button>
          {view?.configured && (
            <button type="button" className="button" onClick={() => void remove()}>
              Turn off
            </button>
          )}
        </div>
      </form>
      {message && (
        <p className={message.kind === 'error' ? 'field-error' : 'muted'} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
    </section>
  );
}
