// A memory cgroup with a container's memory limit, as the kubelet makes one for each container: a
// process the bench starts inside it sees the limit (Node sizes its V8 heap from it, through libuv's
// uv_get_constrained_memory) and the kernel charges and enforces it. Outside a cgroup, Node sizes
// its heap from the host's memory and defers collection accordingly, so a peak RSS measured there
// says little about a pod. cgroup v1 (memory.limit_in_bytes) and v2 (memory.max) are both handled.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryCgroup {
  dir: string;
  limitMiB: number;
  /** The command line that runs `args` (node's) inside the cgroup from its first instruction. */
  command(args: string[]): { file: string; args: string[] };
  /** The most memory the cgroup was charged (what the OOM killer compares with the limit). */
  peakMiB(): number;
  /** Starts the peak anew from the current charge (per bench case). */
  resetPeak(): void;
  /** Processes the kernel OOM-killed in the cgroup. */
  oomKills(): number;
  remove(): void;
}

const V1 = '/sys/fs/cgroup/memory';
const V2 = '/sys/fs/cgroup';

/** Makes the cgroup, or says why it cannot be made here. */
export function memoryCgroup(
  name: string,
  limitMiB: number,
): MemoryCgroup | { unavailable: string } {
  const v2 = existsSync(join(V2, 'cgroup.controllers')) && !existsSync(V1);
  const dir = join(v2 ? V2 : V1, `palisade-bench-${name}-${process.pid}`);
  const files = v2
    ? { limit: 'memory.max', peak: 'memory.peak', events: 'memory.events' }
    : {
        limit: 'memory.limit_in_bytes',
        peak: 'memory.max_usage_in_bytes',
        events: 'memory.oom_control',
      };
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, files.limit), String(limitMiB * 1024 * 1024));
  } catch (err) {
    return { unavailable: `cannot make a memory cgroup at ${dir}: ${(err as Error).message}` };
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    limitMiB,
    command: (args) => ({
      file: '/bin/sh',
      // $0 is the cgroup directory; the shell moves itself in, then becomes node.
      args: ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, process.execPath, ...args],
    }),
    peakMiB: () => Math.round((Number(read(files.peak).trim()) / 1048576) * 10) / 10,
    resetPeak: () => {
      try {
        // v1 resets max_usage_in_bytes on a write of 0; v2 memory.peak on any write (Linux 6.12+).
        writeFileSync(join(dir, files.peak), '0');
      } catch {
        // Not resettable here: the peak then covers every case since the start.
      }
    },
    oomKills: () => Number(/oom_kill (\d+)/.exec(read(files.events))?.[1] ?? 0),
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // A process still inside (it is being killed): the kernel frees the group when it exits.
      }
    },
  };
}
