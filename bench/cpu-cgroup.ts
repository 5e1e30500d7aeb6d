// A CPU cgroup with a container's CPU limit, as the kubelet makes one: a CFS quota of limit x
// period per period of 100 ms (cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us, v2 cpu.max). The
// threads of a process inside it (event loop, workers, GC, libuv) share that much CPU time per
// period and are throttled for the rest of it once it is spent: the cause of a pod's latency
// spikes that a bench on unrestricted cores never shows. cpu.stat counts the throttled periods.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CpuStat {
  periods: number;
  throttled: number;
  throttledMs: number;
}

export interface CpuCgroup {
  dir: string;
  cpus: number;
  stat(): CpuStat;
  remove(): void;
}

const V1 = '/sys/fs/cgroup/cpu';
const V2 = '/sys/fs/cgroup';
const PERIOD_US = 100_000;

/** Makes the cgroup, or says why it cannot be made here. */
export function cpuCgroup(name: string, cpus: number): CpuCgroup | { unavailable: string } {
  const v2 = !existsSync(V1) && existsSync(join(V2, 'cgroup.controllers'));
  const dir = join(v2 ? V2 : V1, `palisade-bench-${name}-${process.pid}`);
  const quota = Math.round(cpus * PERIOD_US);
  try {
    mkdirSync(dir);
    if (v2) writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
    else {
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
    }
  } catch (err) {
    return { unavailable: `cannot make a CPU cgroup at ${dir}: ${(err as Error).message}` };
  }
  return {
    dir,
    cpus,
    stat: () => {
      const text = readFileSync(join(dir, 'cpu.stat'), 'utf8');
      const field = (f: string) => Number(new RegExp(`^${f} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
      return {
        periods: field('nr_periods'),
        throttled: field('nr_throttled'),
        // v1 throttled_time is in ns, v2 throttled_usec in µs.
        throttledMs: v2 ? field('throttled_usec') / 1000 : field('throttled_time') / 1e6,
      };
    },
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // A process still inside (it is exiting): the kernel frees the group after it.
      }
    },
  };
}
