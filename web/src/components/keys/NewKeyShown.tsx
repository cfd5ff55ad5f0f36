import { useState } from 'react';
import { useStore } from '../../store/index.ts';

/** The key just made or rotated: shown this once, with a button to copy it. */
export function NewKeyShown() {
  const newKey = useStore((s) => s.newKey);
  const dismiss = useStore((s) => s.dismissNewKey);
  const [copied, setCopied] = useState(false);
  if (!newKey) return null;

  const copy = async () => {
    await navigator.clipboard.writeText(newKey.key).then(() => setCopied(true), () => setCopied(false));
  };

  return (
    <section className="panel section-card new-key" aria-labelledby="new-key-shown-title">
      <h2 id="new-key-shown-title">
        New {newKey.kind} key{newKey.name ? ` “${newKey.name}”` : ''}
      </h2>
      <p>Copy it now: it is shown this once, and the server keeps only its hash.</p>
      <div className="new-key-value">
        <code aria-label="The new key">{newKey.key}</code>
        <button type="button" className="button small" onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button
          type="button"
          className="button small ghost"
          onClick={() => {
            setCopied(false);
            dismiss();
          }}
        >
          Done
        </button>
      </div>
    </section>
  );
}
