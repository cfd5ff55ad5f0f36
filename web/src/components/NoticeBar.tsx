import { useStore } from '../store/index.ts';

/** The outcome of the last action: a success, or the server's message about what went wrong. */
export function NoticeBar() {
  const notice = useStore((s) => s.notice);
  const dismiss = useStore((s) => s.dismissNotice);
  if (!notice) return null;
  return (
    <div className={`notice notice-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
      <span>{notice.text}</span>
      <button type="button" className="notice-close" aria-label="Dismiss" onClick={dismiss}>
        ×
      </button>
    </div>
  );
}
