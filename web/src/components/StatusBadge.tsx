import { STATUS_LABEL, type JourneyStatus } from '../lib/format.ts';

export function StatusBadge({ status }: { status: JourneyStatus }) {
  return (
    <span className={`status status-${status}`}>
      <span className="status-dot" aria-hidden="true" />
      {STATUS_LABEL[status]}
    </span>
  );
}
