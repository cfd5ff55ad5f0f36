import { logDeliveryReason } from '../../lib/delivery.ts';
import { can } from '../../lib/roles.ts';
import { channelLabel } from '../../lib/meta.ts';
import { MESSAGE_STATUS_LABEL, reasonFor } from '../../lib/reasons.ts';
import { useStore } from '../../store/index.ts';
import type { LogMessage } from '../../store/messages.ts';
import { Time } from '../Time.tsx';
import { DeliveryCell } from './DeliveryCell.tsx';
import { ResendButton } from './ResendButton.tsx';
import '../../styles/delivery.css';

/**
 * The message log's rows: when, to whom, from which journey and node, on which channel, what became of it,
 * and its delivery (provider, attempts, the next one); a dead letter stands out, with "Send again" for admins.
 */
export function MessageTable({ rows }: { rows: LogMessage[] }) {
  const navigate = useStore((s) => s.navigate);
  const names = useStore((s) => s.journeyNames);
  const registry = useStore((s) => s.registry);
  const admin = useStore((s) => can(s.role, 'admin'));
  return (
    <div className="panel table-wrap">
      <table className="table compact messages-table">
        <caption className="visually-hidden">Messages</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">User</th>
            <th scope="col">Journey</th>
            <th scope="col">Node</th>
            <th scope="col">Channel</th>
            <th scope="col">Status</th>
            <th scope="col">Delivery</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <tr key={m.id} className={m.status === 'dead' ? 'dead-letter' : undefined}>
              <td className="nowrap">
                <Time at={m.sentAt ?? m.createdAt} />
              </td>
              <td>
                <a
                  href={`/users/${encodeURIComponent(m.userId)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate({ page: 'users', id: m.userId });
                  }}
                >
                  {m.userId}
                </a>
              </td>
              <td>
                <a
                  href={`/journeys/${encodeURIComponent(m.journeyId)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    navigate({ page: 'journey', id: m.journeyId });
                  }}
                >
                  {names?.[m.journeyId] ?? m.journeyId}
                </a>{' '}
                <span className="version">v{m.version}</span>
              </td>
              <td>
                <code>{m.nodeId}</code>
              </td>
              <td>{channelLabel(m.channel, registry)}</td>
              <td>
                <span className={`pill message-${m.status}`}>{m.status === 'pending' && m.attempts > 0 ? 'Retrying' : (MESSAGE_STATUS_LABEL[m.status] ?? m.status)}</span>
                {m.status === 'dead' && admin && <ResendButton m={m} />}
              </td>
              <td className="nowrap">
                <DeliveryCell m={m} />
              </td>
              <td className="why">{logDeliveryReason(m) ?? reasonFor(m.status, m.reason) ?? <span className="muted">—</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
