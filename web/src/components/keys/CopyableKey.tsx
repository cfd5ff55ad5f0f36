import { useState } from 'react';

/** A key shown this once, and a button that copies it. */
export function CopyableKey({ value, label, autoFocus = false }: { value: string; label: string; autoFocus?: boolean }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(value).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <>
      <code aria-label={label}>{value}</code>
      <button type="button" className="button small" autoFocus={autoFocus} onClick={() => void copy()}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </>
  );
}
