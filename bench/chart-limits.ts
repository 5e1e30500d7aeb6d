// The chart's container limits for one bench process, as the kubelet applies them: a memory
// cgroup (memory-cgroup.ts) and a CPU cgroup with the CFS quota (cpu-cgroup.ts), both at the
// chart's own resources.limits (chart-resources.ts), joined by the process from its first
// instruction. Where cgroups cannot be made (no root, no cgroupfs) it falls back to pinning the
// process to as many CPUs as the limit allows (taskset) and says so: affinity bounds the cores
// but neither throttles like a quota nor limits memory.
import { execFileSync } from 'node:child_process';
import { chartCpuLimit, chartMemoryLimitMiB } from './chart-resources';
import { cpuCgroup, type CpuStat } from './cpu-cgroup';
import { memoryCgroup } from './memory-cgroup';

export interface ChartLimits {
  /** How the limits are applied: "cgroup" (quota and memory limit) or "affinity". */
  how: 'cgroup' | 'affinity';
  cpus: number;
  memoryMiB: number;
  /** The command line running `file args` inside the limits. */
  wrap(file: string, args: string[]): { file: string; args: string[] };
  /** node `args` inside the limits (the shape palisade-process.ts takes). */
  command(args: string[]): { file: string; args: string[] };
  /** Throttling so far (zeros under affinity). */
  cpuStat(): CpuStat;
  /** The memory cgroup's peak charge since the last reset, or undefined under affinity. */
  peakMiB(): number | undefined;
  resetPeak(): void;
  oomKills(): number;
  remove(): void;
}

export function chartLimits(name: string): ChartLimits {
  const cpus = chartCpuLimit();
  const memoryMiB = chartMemoryLimitMiB();
  const cpu = cpuCgroup(name, cpus);
  const mem = memoryCgroup(name, memoryMiB);
  if ('unavailable' in cpu || 'unavailable' in mem) {
    if (!('unavailable' in cpu)) cpu.remove();
    if (!('unavailable' in mem)) mem.remove();
    const why =
      'unavailable' in cpu ? cpu.unavailable : (mem as { unavailable: string }).unavailable;
    process.stderr.write(
      `WARNING: ${why}; running ${name} pinned to ${Math.ceil(cpus)} CPU(s) by affinity instead: ` +
        "no CFS throttling and no memory limit, so these figures are not a pod's\n",
    );
    const list = Array.from({ length: Math.ceil(cpus) }, (_, i) => i).join(',');
    assertTaskset();
    const wrap = (file: string, args: string[]) => ({
      file: 'taskset',
      args: ['-c', list, file, ...args],
    });
    return {
      how: 'affinity',
      cpus,
      memoryMiB,
      wrap,
      command: (args) => wrap(process.execPath, args),
      cpuStat: () => ({ periods: 0, throttled: 0, throttledMs: 0 }),
      peakMiB: () => undefined,
      resetPeak: () => undefined,
      oomKills: () => 0,
      remove: () => undefined,
    };
  }
  const wrap = (file: string, args: string[]) => ({
    file: '/bin/sh',
    // $0 and $1 are the cgroup directories; the shell moves itself in, then becomes the target.
    args: [
      '-c',
      'echo $$ > "$0/cgroup.procs" && echo $$ > "$1/cgroup.procs" && shift && exec "$@"',
      mem.dir,
      cpu.dir,
      file,
      ...args,
    ],
  });
  return {
    how: 'cgroup',
    cpus,
    memoryMiB,
    wrap,
    command: (args) => wrap(process.execPath, args),
    cpuStat: () => cpu.stat(),
    peakMiB: () => mem.peakMiB(),
    resetPeak: () => mem.resetPeak(),
    oomKills: () => mem.oomKills(),
    remove: () => {
      mem.remove();
      cpu.remove();
    },
  };
}

function assertTaskset(): void {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    throw new Error('neither cgroups nor taskset are available: cannot apply the chart limits');
  }
}
