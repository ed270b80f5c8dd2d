/**
 * Benchmark support: CPU time of this process's child processes (the AWS emulator), from /proc (Linux), so a run
 * can say how busy the emulator was. Undefined where /proc is not there.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Pids of every process descending from `root`. */
export function descendants(root: number = process.pid): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  const parent = new Map<number, number>();
  for (const e of entries) {
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces, in parentheses): state, ppid, …
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(e), Number(after[1]));
    } catch {
      // The process ended while we read.
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, ppid] of parent) if (ppid === pid) {
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** User + system CPU time (ms) the processes have used so far (threads included), or undefined without /proc. */
export function cpuMsOf(pids: readonly number[]): number | undefined {
  if (pids.length === 0) return undefined;
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat; `after` starts at field 3.
      ticks += Number(after[11]) + Number(after[12]);
    } catch {
      // Gone: its time is lost to the sum (the emulator does not end during a run).
    }
  }
  return (ticks / TICKS_PER_SECOND) * 1000;
}
