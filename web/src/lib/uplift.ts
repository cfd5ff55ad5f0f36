/**
 * The control-group comparison in plain words: how many points better (or worse) the journey converts than
 * the users held out, and whether the two-proportion z-test the server ran says that gap is more than chance.
 */

export interface ConversionLike {
  target: { entered: number; converted: number; rate: number | null };
  control: { users: number; converted: number; rate: number | null };
  uplift: number | null;
  significance: { z: number; pValue: number; significant: boolean } | null;
}

export type UpliftTone = 'none' | 'unsure' | 'better' | 'worse';

export interface UpliftWords {
  tone: UpliftTone;
  /** The sentence: "Converts 4.1 points better than the control group; p = 0.003: unlikely to be chance". */
  headline: string;
  /** The rates compared, for the line under it: "Journey 12.0% (12 of 100) · Control group 7.9% (8 of 101)". */
  detail: string;
}

export const UNLIKELY = 'unlikely to be chance';
export const NOT_YET = 'not enough evidence yet';

export function upliftWords(c: ConversionLike): UpliftWords {
  const relative = c.uplift === null ? '' : ` · ${c.uplift > 0 ? '+' : ''}${Math.round(c.uplift * 100)}% relative`;
  const detail = `Journey ${share(c.target.converted, c.target.entered)} · Control group ${share(c.control.converted, c.control.users)}${relative}`;
  if (c.control.users === 0) {
    return { tone: 'none', headline: 'No control group yet: hold out a share of users in the journey’s setup to measure what it adds', detail };
  }
  if (c.target.entered === 0) return { tone: 'none', headline: 'Nobody has entered the journey yet: nothing to compare', detail };
  const points = (c.target.converted / c.target.entered - c.control.converted / c.control.users) * 100;
  const gap = Math.abs(points) < 0.05 ? 'Converts as well as the control group' : `Converts ${Math.abs(points).toFixed(1)} points ${points > 0 ? 'better' : 'worse'} than the control group`;
  const s = c.significance;
  if (!s) {
    const why = c.target.converted + c.control.converted === 0 ? 'nobody has converted yet' : 'everybody converted';
    return { tone: 'unsure', headline: `${gap}; no test possible while ${why}`, detail };
  }
  const tone: UpliftTone = !s.significant ? 'unsure' : points > 0 ? 'better' : 'worse';
  return { tone, headline: `${gap}; ${formatP(s.pValue, s.significant)}: ${s.significant ? UNLIKELY : NOT_YET}`, detail };
}

/**
 * "p = 0.003", "p < 0.001", "p = 0.31". Three decimals below 0.1, two above. A significant p that rounds up
 * to 0.05 reads "p < 0.05", so the number never seems to contradict the verdict judged before rounding.
 */
export function formatP(p: number, significant: boolean): string {
  if (p < 0.001) return 'p < 0.001';
  const text = p < 0.1 ? p.toFixed(3) : p.toFixed(2);
  if (significant && Number(text) >= 0.05) return 'p < 0.05';
  return `p = ${text}`;
}

/** "60.0% (6 of 10)", "— (0 of 0)". */
function share(converted: number, users: number): string {
  const rate = users === 0 ? '—' : `${(Math.round((converted / users) * 1000) / 10).toFixed(1)}%`;
  return `${rate} (${converted} of ${users})`;
}

/**
 * The comparison for the strip of figures: "+40.0 pts" and the verdict in a few words; null without a
 * control group.
 */
export function upliftShort(c: ConversionLike): { value: string; verdict: string; tone: UpliftTone } | null {
  if (c.control.users === 0) return null;
  if (c.target.entered === 0) return { value: '—', verdict: 'nobody entered yet', tone: 'none' };
  const points = (c.target.converted / c.target.entered - c.control.converted / c.control.users) * 100;
  const value = `${points >= 0.05 ? '+' : points <= -0.05 ? '−' : '±'}${Math.abs(points).toFixed(1)} pts`;
  const s = c.significance;
  if (!s) return { value, verdict: 'no test possible yet', tone: 'unsure' };
  return { value, verdict: s.significant ? UNLIKELY : NOT_YET, tone: !s.significant ? 'unsure' : points > 0 ? 'better' : 'worse' };
}
