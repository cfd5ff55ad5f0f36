/** Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned. */

/** The rows as lines (each ending in a newline). Columns listed in `right` are right-aligned; the last column is never padded. */
export function table(rows: string[][], right: ReadonlySet<number> = new Set(), indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, c) => (widths[c] = Math.max(widths[c] ?? 0, cell.length)));
  return rows
    .map((row) => {
      const cells = row.map((cell, c) => (c === row.length - 1 && !right.has(c) ? cell : right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)));
      return `${indent}${cells.join('  ').trimEnd()}\n`;
    })
    .join('');
}

/** A rate in [0, 1] as a percentage with one decimal, or "-" when there is none. */
export function percent(rate: number | null, sign = false): string {
  if (rate === null) return '-';
  const text = `${(rate * 100).toFixed(1)}%`;
  return sign && rate > 0 ? `+${text}` : text;
}
