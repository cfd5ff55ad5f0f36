/** Numbers, rates, durations and times as people read them. */

const COUNT = new Intl.NumberFormat('en-US');

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : COUNT.format(n);
}

/** A 0..1 rate as a percentage with one decimal; "—" when there is nothing to divide by. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

const UNITS: Record<string, [string, string]> = { ms: ['millisecond', 'milliseconds'], s: ['second', 'seconds'], m: ['minute', 'minutes'], h: ['hour', 'hours'], d: ['day', 'days'], };

/** "2h" → "2 hours", "90m" → "90 minutes"; anything else as given. */
export function formatDuration(duration: string): string {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(duration);
  if (!match) return duration;
  const n = Number(match[1]);
  const [one, many] = UNITS[match[2]!]!;
  return `${n} ${n === 1 ? one : many}`;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function formatAgo(at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 30) return `${days} ${days === 1 ? 'day' : 'days'} ago`;
  return new Date(at).toISOString().slice(0, 10);
}

export type JourneyStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'stopped' | 'completed';

export const STATUS_LABEL: Record<JourneyStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  running: 'Running',
  paused: 'Paused',
  stopped: 'Stopped',
  completed: 'Completed',
};

/** Lifecycle actions the API allows from each status (src/app/journeys.ts). */
export function actionsFor(status: JourneyStatus): Array<'publish' | 'pause' | 'resume' | 'stop'> {
  switch (status) {
    case 'draft':
      return ['publish'];
    case 'running':
    case 'scheduled':
      return ['pause', 'stop'];
    case 'paused':
      return ['resume', 'stop'];
    case 'completed':
      return ['stop'];
    case 'stopped':
      return [];
  }
}

/** The id tried for the n-th copy of a journey (n from 1): "welcome-copy", "welcome-copy-2", within 63 characters. */
export function copyId(id: string, n: number): string {
  const suffix = n === 1 ? '-copy' : `-copy-${n}`;
  return `${id.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}
