import { useStore } from '../../store/index.ts';
import { CopyableKey } from './CopyableKey.tsx';

/** The key just made or rotated: shown this once, with a button to copy it. */
export function NewKeyShown() {
  const newKey = useStore((s) => s.newKey);
  const dismiss = useStore((s) => s.dismissNewKey);
  if (!newKey) return null;

  return (
    <section className="panel section-card new-key" aria-labelledby="new-key-shown-title">
      <h2 id="new-key-shown-title">
        New {newKey.kind} key{newKey.name ? ` “${newKey.name}”` : ''}
      </h2>
      <p>Copy it now: it is shown this once, and the server keeps only its hash.</p>
      <div className="new-key-value">
        {/* Keyed by the key: another key made while this one shows starts again at "Copy". */}
        <CopyableKey key={newKey.key} value={newKey.key} label="The new key" />
        <button type="button" className="button small ghost" onClick={dismiss}>
          Done
        </button>
      </div>
    </section>
  );
}
