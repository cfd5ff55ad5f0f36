/**
 * The open journey's numbers: its stats read again every few seconds while the page is seen, its entries and
 * conversions over time, and a backtest of the working copy. Answers are merged into the old ones by
 * structural sharing (lib/share.ts): an unchanged answer changes nothing in the store, and a changed one
 * keeps the identity of every node's figures that did not change, so only those cards draw again.
 */
import { ApiFailure, client, unwrap, type Definition, type Stats } from '../api/client.ts';
import { projectEra } from '../api/project-scope.ts';
import type { paths } from '../api/schema';
import { reuse } from '../lib/share.ts';
import { kit, messageOf, type Slice } from './kit.ts';

type Ok<T> = T extends { responses: { 200: { content: { 'application/json': infer R } } } } ? R : never;
export type Series = Ok<paths['/v1/journeys/{id}/series']['get']>;
export type Backtest = Ok<paths['/v1/journeys/{id}/backtest']['post']>;

export interface LiveStats {
  journeyId: string;
  stats: Stats | null;
  /** Why the last read failed; the figures shown are the last good ones. */
  error: string | null;
}

export interface SeriesState {
  journeyId: string;
  days: number;
  series: Series | null;
  error: string | null;
}

export interface BacktestState {
  journeyId: string;
  days: number;
  /** The working copy as it was sent: the overlay is about it, not about later edits. */
  definition: Definition;
  running: boolean;
  result: Backtest | null;
  error: string | null;
}

export interface StatsSlice {
  liveStats: LiveStats | null;
  statsSeries: SeriesState | null;
  backtest: BacktestState | null;
  /** Reads the journey's stats; a read still under way for it makes this one a no-op. */
  loadLiveStats(journeyId: string): Promise<void>;
  /** Reads `days` local days of entries and conversions (default: as many as shown). */
  loadSeries(journeyId: string, days?: number): Promise<void>;
  /** Replays `definition` as the journey over the last `days` days; its result is overlaid on the canvas. */
  runBacktest(journeyId: string, days: number, definition: Definition): Promise<void>;
  clearBacktest(): void;
}

export const DEFAULT_SERIES_DAYS = 14;

export const statsSlice: Slice<StatsSlice> = (set, get) => {
  const { guarded } = kit(set, get);
  /** The journeys whose live stats are being read, with the project era the read began in (api/project-scope.ts): a read left behind by a switch never ends, and must not stop the next one. */
  const reading = new Map<string, object>();
  let seriesRun = 0;

  return {
    liveStats: null,
    statsSeries: null,
    backtest: null,

    async loadLiveStats(journeyId) {
      const era = projectEra();
      if (reading.get(journeyId) === era) return;
      reading.set(journeyId, era);
      try {
        const fresh = await guarded(() => unwrap(client.GET('/v1/journeys/{id}/stats', { params: { path: { id: journeyId } } })));
        const old = get().liveStats;
        const mine = old?.journeyId === journeyId ? old : null;
        const stats = reuse(mine?.stats, fresh);
        if (mine && mine.stats === stats && mine.error === null) return;
        set({ liveStats: { journeyId, stats, error: null } });
      } catch (error) {
        const old = get().liveStats;
        const stats = old?.journeyId === journeyId ? old.stats : null;
        const text = error instanceof ApiFailure && error.status === 404 ? `There is no journey “${journeyId}”.` : messageOf(error);
        if (old?.journeyId !== journeyId || old.error !== text) set({ liveStats: { journeyId, stats, error: text } });
      } finally {
        if (reading.get(journeyId) === era) reading.delete(journeyId);
      }
    },

    async loadSeries(journeyId, days) {
      const old = get().statsSeries;
      const mine = old?.journeyId === journeyId ? old : null;
      const want = days ?? mine?.days ?? DEFAULT_SERIES_DAYS;
      const run = ++seriesRun;
      // A new period shows at once (empty until read); the same one keeps its chart while it is read again.
      if (!mine || mine.days !== want) set({ statsSeries: { journeyId, days: want, series: null, error: null } });
      try {
        const fresh = await guarded(() => unwrap(client.GET('/v1/journeys/{id}/series', { params: { path: { id: journeyId }, query: { days: want, bucket: 'day' } } })));
        if (run !== seriesRun) return;
        const now = get().statsSeries;
        const series = reuse(now?.journeyId === journeyId && now.days === want ? now.series : null, fresh);
        if (now?.series === series && now.error === null) return;
        set({ statsSeries: { journeyId, days: want, series, error: null } });
      } catch (error) {
        if (run !== seriesRun) return;
        const now = get().statsSeries;
        set({ statsSeries: { journeyId, days: want, series: now?.journeyId === journeyId && now.days === want ? now.series : null, error: messageOf(error) } });
      }
    },

    async runBacktest(journeyId, days, definition) {
      if (get().backtest?.running) return;
      set({ backtest: { journeyId, days, definition, running: true, result: null, error: null } });
      try {
        const result = await guarded(() => unwrap(client.POST('/v1/journeys/{id}/backtest', { params: { path: { id: journeyId } }, body: { days, definition } })));
        if (get().backtest?.definition === definition) set({ backtest: { journeyId, days, definition, running: false, result, error: null } });
      } catch (error) {
        const text =
          error instanceof ApiFailure && error.status === 409
            ? 'Another backtest is running on the server. Try again when it has finished.'
            : error instanceof ApiFailure && error.status === 400
              ? `The working copy cannot be replayed: ${messageOf(error).replace(/^invalid journey definition: /, '')}`
              : messageOf(error);
        if (get().backtest?.definition === definition) set({ backtest: { journeyId, days, definition, running: false, result: null, error: text } });
      }
    },

    clearBacktest() {
      set({ backtest: null });
    },
  };
};
