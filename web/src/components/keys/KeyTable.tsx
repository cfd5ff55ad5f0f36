import { useState } from 'react';
import { formatAgo } from '../../lib/format.ts';
import { useStore } from '../../store/index.ts';
import type { KeyView } from '../../store/keys.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';

/** The keys, oldest first: never the keys themselves, only their first characters. */
export function KeyTable({ keys }: { keys: KeyView[] }) {
  const rotateKey = useStore((s) => s.rotateKey);
  const revokeKey = useStore((s) => s.revokeKey);
  const busy = useStore((s) => s.busy);
  const [revoking, setRevoking] = useState<KeyView | null>(null);
  const now = Date.now();
  return (
    <div className="panel table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Starts with</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id}>
              <td>
                {key.name ?? '—'}
                <div className="sub">
                  <code>{key.id}</code>
                </div>
              </td>
              <td>{key.kind}</td>
              <td>{key.prefix ? <code>{key.prefix}…</code> : '—'}</td>
              <td>{formatAgo(key.createdAt, now)}</td>
              <td>{key.lastUsedAt === null ? 'never' : formatAgo(key.lastUsedAt, now)}</td>
              <td className="row-actions">
                <button type="button" className="button small" disabled={Boolean(busy[`key:${key.id}`])} onClick={() => void rotateKey(key.id)} aria-label={`Rotate ${key.name ?? key.id}`}>
                  Rotate
                </button>
                <button type="button" className="button small danger-ghost" disabled={Boolean(busy[`key:${key.id}`])} onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name ?? key.id}`}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking && (
        <ConfirmDialog
          title="Revoke this key?"
          text={`“${revoking.name ?? revoking.id}” (${revoking.kind}) stops working at once, everywhere it is used.`}
          action="Revoke"
          onConfirm={() => void revokeKey(revoking.id)}
          onClose={() => setRevoking(null)}
        />
      )}
    </div>
  );
}
