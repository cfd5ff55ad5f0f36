/**
 * Keeps the open journey's numbers fresh: its stats every 5 seconds while the page is visible (a hidden tab
 * reads nothing, and catches up the moment it is shown again), and its series again whenever the totals move.
 * Returns the stats to show: the live ones once read, else `fallback` (those the page was opened with).
 */
import { useEffect } from 'react';
import type { Stats } from '../../api/client.ts';
import { useStore } from '../../store/index.ts';

export const LIVE_MS = 5_000;

export function useLiveStats(journeyId: string, fallback: Stats | null): Stats | null {
  const loadLiveStats = useStore((s) => s.loadLiveStats);
  const loadSeries = useStore((s) => s.loadSeries);
  const live = useStore((s) => (s.liveStats?.journeyId === journeyId ? s.liveStats.stats : null));

  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState === 'visible') void loadLiveStats(journeyId);
    };
    void loadLiveStats(journeyId);
    const timer = window.setInterval(refresh, LIVE_MS);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, [journeyId, loadLiveStats]);

  // The same object while the totals do not change (the slice shares what is equal), so this runs on a change.
  const totals = live?.totals;
  useEffect(() => {
    void loadSeries(journeyId);
  }, [journeyId, totals, loadSeries]);

  return live ?? fallback;
}
