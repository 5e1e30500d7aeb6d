// CPU time a process has used, every thread of it (user + system, /proc/PID/stat fields 14-15,
// in clock ticks of 10 ms): divided by the requests answered in a case, the CPU cost per request
// a pod's CPU limit pays, whatever the wall clock did.
import { readFileSync } from 'node:fs';

const TICK_MS = 10; // sysconf(_SC_CLK_TCK) is 100 on Linux

/** User + system CPU milliseconds of the process so far. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}
