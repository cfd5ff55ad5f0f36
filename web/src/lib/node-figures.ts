/**
 * The per-node figures a card shows beside its counters: who is at the node now, why messages were skipped,
 * and what a backtest says the node would have done. Pure, for tests.
 */
import { reasonText } from './reasons.ts';

export interface CardStat {
  label: string;
  value: number;
}

/** "3 waiting now"; null when nobody is. */
export function waitingLine(waiting: number | undefined): string | null {
  return waiting && waiting > 0 ? `${waiting.toLocaleString('en-US')} waiting now` : null;
}

/** Skip reasons in a few words, for the card's line; the tooltip has reasonText's sentence. */
const SKIP_SHORT: Record<string, string> = {
  no_email: 'no email',
  no_phone: 'no phone',
  no_push_token: 'no push token',
  dnd: 'quiet hours',
  frequency_cap: 'frequency cap',
  unsubscribed: 'unsubscribed',
};

/**
 * "Skipped: 4 no phone, 1 quiet hours", most first (then by name); skips recorded before reasons were
 * counted read "2 other". Null when nothing was skipped.
 */
export function skipLine(skipped: number, skippedBy: Readonly<Record<string, number>> | undefined): string | null {
  if (!(skipped > 0)) return null;
  const parts = reasonsOf(skipped, skippedBy).map(([reason, n]) => `${n.toLocaleString('en-US')} ${reason === '' ? 'other' : (SKIP_SHORT[reason] ?? reason.replace(/_/g, ' '))}`);
  return `Skipped: ${parts.join(', ')}`;
}

/** The same reasons as full sentences, one a line, for the tooltip. */
export function skipTitle(skipped: number, skippedBy: Readonly<Record<string, number>> | undefined): string | null {
  if (!(skipped > 0)) return null;
  return reasonsOf(skipped, skippedBy)
    .map(([reason, n]) => `${n.toLocaleString('en-US')} × ${reason === '' ? 'Skipped before reasons were counted' : reasonText(reason)}`)
    .join('\n');
}

/** [reason, count] most first, ties by name; '' for the skips no reason accounts for. */
function reasonsOf(skipped: number, skippedBy: Readonly<Record<string, number>> | undefined): Array<[string, number]> {
  const known = Object.entries(skippedBy ?? {}).filter(([, n]) => n > 0);
  known.sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0));
  const rest = skipped - known.reduce((sum, [, n]) => sum + n, 0);
  return rest > 0 ? [...known, ['', rest]] : known;
}

export interface TrialCounts {
  entered: number;
  sent?: number;
  goal?: number;
  control?: number;
}

/**
 * What a backtest says a node would have done, as the overlay's badges: how many would have entered, been
 * sent the message (the kinds that count sends), and converted there (when any did). The entry's "held out"
 * says how many the control group would have kept.
 */
export function trialStats(counters: readonly string[], counts: TrialCounts | undefined): CardStat[] {
  if (!counts) return [];
  const stats: CardStat[] = [{ label: 'entered', value: counts.entered }];
  if (counters.includes('sent')) stats.push({ label: 'sent', value: counts.sent ?? 0 });
  if ((counts.goal ?? 0) > 0) stats.push({ label: 'converted', value: counts.goal! });
  if ((counts.control ?? 0) > 0) stats.push({ label: 'held out', value: counts.control! });
  return stats;
}

export interface BacktestLike {
  events: number;
  users: number;
  truncated: boolean;
  maxEvents: number;
  stats: { totals: { entered: number; goal: number; control: number }; nodes: ReadonlyArray<{ sent: number }> };
}

/** The backtest's summary line by line: what was replayed, and what the copy would have done. */
export function backtestSummary(b: BacktestLike): CardStat[] {
  return [
    { label: 'events replayed', value: b.events },
    { label: 'users', value: b.users },
    { label: 'would have entered', value: b.stats.totals.entered },
    ...(b.stats.totals.control > 0 ? [{ label: 'held out', value: b.stats.totals.control }] : []),
    { label: 'messages sent', value: b.stats.nodes.reduce((sum, n) => sum + n.sent, 0) },
    { label: 'converted', value: b.stats.totals.goal },
  ];
}

/** Said when the window held more events than a backtest reads; null when it did not. */
export function truncationNote(b: Pick<BacktestLike, 'truncated' | 'maxEvents'>): string | null {
  return b.truncated ? `Only the first ${b.maxEvents.toLocaleString('en-US')} events of the period were replayed; the figures leave out the rest.` : null;
}
