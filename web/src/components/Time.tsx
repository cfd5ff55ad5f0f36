import { formatInZone } from '../lib/zoned-time.ts';
import { projectZone } from '../store/settings.ts';
import { useStore } from '../store/index.ts';

/** The project's time zone, for every time on the users and messages pages. */
export function useZone(): string {
  return useStore((s) => projectZone(s.settings));
}

/** A moment in the project's time zone, machine-readable in `dateTime`. */
export function Time({ at }: { at: number | string | null | undefined }) {
  const zone = useZone();
  const ms = typeof at === 'string' ? Date.parse(at) : at;
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return <span className="muted">—</span>;
  return <time dateTime={new Date(ms).toISOString()}>{formatInZone(ms, zone)}</time>;
}
