/** CPU time and peak memory of a process and its children, read from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function tree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
  return all;
}

function cpuOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
  } catch {
    return 0;
  }
}

/**
 * A memory figure of /proc/PID/status in kB (VmHWM: the peak resident set; VmRSS: the resident set now;
 * RssAnon: the part of it that is the process's own memory, not pages of a mapped file such as SQLite's).
 */
export function statusKb(pid: number, field: 'VmHWM' | 'VmRSS' | 'RssAnon'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function processTreeUsage(pid: number) {
  return {
    cpuSeconds: () => tree(pid).reduce((sum, p) => sum + cpuOf(p), 0),
    /** The largest peak resident set of any process in the tree (the server itself). */
    peakRssMb: () => Math.max(...tree(pid).map((p) => statusKb(p, 'VmHWM'))) / 1024,
    /** The largest resident set now of any process in the tree. */
    rssMb: () => Math.max(...tree(pid).map((p) => statusKb(p, 'VmRSS'))) / 1024,
    /** The largest private resident set now (RssAnon): the resident set less the mapped database file. */
    anonMb: () => Math.max(...tree(pid).map((p) => statusKb(p, 'RssAnon'))) / 1024,
  };
}
