// How many CPUs this process may really use: the CFS quota of its cgroup, as the kubelet sets it
// from a container's resources.limits.cpu (cgroup v1 cpu.cfs_quota_us / cpu.cfs_period_us, v2
// cpu.max), bounded by the CPUs it may be scheduled on (os.availableParallelism(), which follows
// the affinity mask but not the quota: a pod limited to 1 CPU on a 16-core node sees 16 there).
// A limit of 1.5 CPUs counts as 2: the quota is time, and two threads can share it.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';

export interface CpuLimit {
  /** Whole CPUs usable: min(ceil(quota), schedulable CPUs); at least 1. */
  cpus: number;
  /** The quota in CPUs (e.g. 0.5), when a cgroup sets one. */
  quota?: number;
  /** Where the quota was read, or why none applies. */
  source: string;
}

export interface CpuLimitHost {
  /** The cgroup filesystem root (/sys/fs/cgroup). */
  cgroupRoot: string;
  /** The text of /proc/self/cgroup. */
  selfCgroup: string;
  schedulable: number;
}

export function cpuLimit(host: CpuLimitHost = currentHost()): CpuLimit {
  const schedulable = Math.max(1, host.schedulable);
  const found = cgroupQuota(host);
  if (!found) return { cpus: schedulable, source: 'no CPU quota (the schedulable CPUs)' };
  return {
    cpus: Math.max(1, Math.min(schedulable, Math.ceil(found.quota - 1e-9))),
    quota: found.quota,
    source: found.file,
  };
}

function currentHost(): CpuLimitHost {
  let selfCgroup = '';
  try {
    selfCgroup = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    // Not Linux: no cgroups.
  }
  return { cgroupRoot: '/sys/fs/cgroup', selfCgroup, schedulable: availableParallelism() };
}

/**
 * The smallest quota on the way from this process's cgroup up to the root (a parent's limit
 * binds its children too). In a container the cgroup namespace shows its own cgroup as "/",
 * whose files are then at the root of the mount.
 */
function cgroupQuota(host: CpuLimitHost): { quota: number; file: string } | undefined {
  let best: { quota: number; file: string } | undefined;
  const consider = (quota: number | undefined, file: string) => {
    if (quota !== undefined && quota > 0 && (!best || quota < best.quota)) best = { quota, file };
  };
  for (const line of host.selfCgroup.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, controllers, path] = m as unknown as [string, string, string];
    if (controllers === '') {
      for (const dir of ancestors(join(host.cgroupRoot, path), host.cgroupRoot)) {
        const file = join(dir, 'cpu.max');
        consider(v2Quota(read(file)), file);
      }
    } else if (controllers.split(',').includes('cpu')) {
      for (const mount of [controllers, 'cpu', 'cpu,cpuacct']) {
        const base = join(host.cgroupRoot, mount);
        for (const dir of ancestors(join(base, path), base)) {
          const file = join(dir, 'cpu.cfs_quota_us');
          consider(v1Quota(read(file), read(join(dir, 'cpu.cfs_period_us'))), file);
        }
      }
    }
  }
  return best;
}

/** `dir` and each parent up to and including `root`. */
function ancestors(dir: string, root: string): string[] {
  const out: string[] = [];
  for (let d = dir; d.startsWith(root); d = dirname(d)) {
    out.push(d);
    if (d === root || d === dirname(d)) break;
  }
  return out;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** cgroup v2 cpu.max: "max 100000" (no limit) or "<quota> <period>". */
function v2Quota(text: string | undefined): number | undefined {
  const m = text && /^(\d+)\s+(\d+)$/.exec(text);
  return m ? Number(m[1]) / Number(m[2]) : undefined;
}

/** cgroup v1: cfs_quota_us is -1 without a limit. */
function v1Quota(quota: string | undefined, period: string | undefined): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  return quota !== undefined && q > 0 && p > 0 ? q / p : undefined;
}
