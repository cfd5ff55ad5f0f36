/** The headline numbers of a journey, from GET /v1/journeys/:id/stats. */

export interface StatsLike {
  /** `inJourneyNow`: users inside now, from servers that count it. */
  totals: { entered: number; control: number; goal: number; inJourneyNow?: number };
  conversion: { target: { converted: number; rate: number | null }; control: { rate: number | null }; uplift: number | null };
  /** Users inside now, as read before the API counted them in `totals`; still taken. */
  inJourney?: number;
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
    inJourney: typeof stats.totals.inJourneyNow === 'number' ? stats.totals.inJourneyNow : typeof stats.inJourney === 'number' ? stats.inJourney : null,
    converted: stats.conversion.target.converted,
    rate: stats.conversion.target.rate,
    controlRate: stats.totals.control > 0 ? stats.conversion.control.rate : null,
    uplift: stats.conversion.uplift,
  };
}
