/** The headline numbers of a journey, from GET /v1/journeys/:id/stats. */
import { formatCount, formatRate } from './format.ts';

export interface StatsLike {
  totals: { entered: number; control: number; goal: number; inJourneyNow?: number };
  conversion: { target: { converted: number; rate: number | null }; control: { rate: number | null }; uplift: number | null };
}

export interface Figures {
  entered: number | null;
  inJourney: number | null;
  converted: number | null;
  rate: number | null;
  controlRate: number | null;
  uplift: number | null;
}

export const NO_FIGURES: Figures = { entered: null, inJourney: null, converted: null, rate: null, controlRate: null, uplift: null };

export function figuresOf(stats: StatsLike | null): Figures {
  if (!stats) return NO_FIGURES;
  return {
    entered: stats.totals.entered,
    // Servers before it was counted do not send it: "—" rather than a wrong 0.
    inJourney: typeof stats.totals.inJourneyNow === 'number' ? stats.totals.inJourneyNow : null,
    converted: stats.conversion.target.converted,
    rate: stats.conversion.target.rate,
    controlRate: stats.totals.control > 0 ? stats.conversion.control.rate : null,
    uplift: stats.conversion.uplift,
  };
}

export interface TotalsLike {
  qualified: number;
  entered: number;
  control: number;
  notQualified: number;
  goal: number;
  timedOut: number;
  completed: number;
  stopped: number;
  merged: number;
  inJourneyNow: number;
}

export interface Kpi {
  label: string;
  /** Already formatted: "1,204", "12.5%", "—". */
  value: string;
  /** What it counts, for the tooltip. */
  about: string;
}

/**
 * Every per-journey figure for the strip over the canvas, in the order a user goes through: qualified, then
 * entered or held out, inside now, converted, and how the others left. "Did not qualify" and "Stopped"
 * show only when they happened (an inaction trigger's, a stopped journey's).
 */
export function kpisOf(totals: TotalsLike, rate: number | null): Kpi[] {
  const count = formatCount;
  const kpis: Kpi[] = [
    { label: 'Qualified', value: count(totals.qualified), about: 'Users whose trigger fired' },
    ...(totals.notQualified > 0 ? [{ label: 'Did not qualify', value: count(totals.notQualified), about: 'The inaction trigger’s event came inside the window' }] : []),
    { label: 'Entered', value: count(totals.entered), about: 'Qualified and not held out' },
    { label: 'Control group', value: count(totals.control), about: 'Qualified and held out: they get no messages' },
    { label: 'In journey now', value: count(totals.inJourneyNow), about: 'Entered users inside the journey at this moment' },
    { label: 'Goal met', value: count(totals.goal), about: 'Conversions of users who entered' },
    { label: 'Conversion rate', value: formatRate(rate), about: 'Goal met / entered' },
    { label: 'Timed out', value: count(totals.timedOut), about: 'Left when the journey’s time limit ended' },
    { label: 'Completed', value: count(totals.completed), about: 'Reached an exit' },
  ];
  if (totals.stopped > 0) kpis.push({ label: 'Stopped', value: count(totals.stopped), about: 'Still inside when the journey was stopped' });
  if (totals.merged > 0) kpis.push({ label: 'Merged', value: count(totals.merged), about: 'Left because their user was merged with another already inside' });
  return kpis;
}
