// The CPUs a pod may use, read from a cgroup tree laid out as Linux lays it out (files in a
// temporary directory), for v1 and v2, inside and outside a cgroup namespace. The real tree is
// read by the bench (bench/chart-cgroup.ts runs Palisade under a CFS quota it makes).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuLimit } from '../../src/cpu-quota';
import { autoWorkers } from '../../src/policy/policy-runtime';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cpu-quota-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function put(path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text + '\n');
}

const host = (selfCgroup: string, schedulable = 16) => ({
  cgroupRoot: root,
  selfCgroup,
  schedulable,
});

describe('cpuLimit', () => {
  it('cgroup v1: a 1-CPU limit on a 16-core node is 1 CPU', () => {
    put('cpu/kubepods/pod1/c1/cpu.cfs_quota_us', '100000');
    put('cpu/kubepods/pod1/c1/cpu.cfs_period_us', '100000');
    expect(cpuLimit(host('4:memory:/kubepods/pod1/c1\n3:cpu:/kubepods/pod1/c1\n'))).toEqual({
      cpus: 1,
      quota: 1,
      source: join(root, 'cpu/kubepods/pod1/c1/cpu.cfs_quota_us'),
    });
  });

  it('cgroup v1 mounted as cpu,cpuacct, no limit (-1): the schedulable CPUs', () => {
    put('cpu,cpuacct/a/cpu.cfs_quota_us', '-1');
    put('cpu,cpuacct/a/cpu.cfs_period_us', '100000');
    expect(cpuLimit(host('2:cpu,cpuacct:/a\n', 6)).cpus).toBe(6);
  });

  it('a parent cgroup limit binds the child', () => {
    put('cpu/pod/cpu.cfs_quota_us', '50000');
    put('cpu/pod/cpu.cfs_period_us', '100000');
    put('cpu/pod/c/cpu.cfs_quota_us', '400000');
    put('cpu/pod/c/cpu.cfs_period_us', '100000');
    const limit = cpuLimit(host('1:cpu:/pod/c\n'));
    expect(limit.quota).toBe(0.5);
    expect(limit.cpus).toBe(1);
  });

  it('a fractional quota rounds up (1.5 CPUs of time can keep two threads busy part-time)', () => {
    put('cpu.max', '150000 100000');
    expect(cpuLimit(host('0::/\n')).cpus).toBe(2);
  });

  it('cgroup v2 inside a cgroup namespace: cpu.max at the mount root', () => {
    put('cpu.max', '200000 100000');
    expect(cpuLimit(host('0::/\n')).cpus).toBe(2);
  });

  it('cgroup v2 without a limit ("max"): the schedulable CPUs', () => {
    put('system.slice/x/cpu.max', 'max 100000');
    expect(cpuLimit(host('0::/system.slice/x\n', 3))).toEqual({
      cpus: 3,
      source: 'no CPU quota (the schedulable CPUs)',
    });
  });

  it('a quota above the schedulable CPUs is bounded by them', () => {
    put('cpu.max', '800000 100000');
    expect(cpuLimit(host('0::/\n', 2)).cpus).toBe(2);
  });

  it('a v1 container without a cgroup namespace sees its own cgroup at the mount root', () => {
    // /proc/self/cgroup names the host path; the container's mount holds only its own group.
    put('cpu/cpu.cfs_quota_us', '100000');
    put('cpu/cpu.cfs_period_us', '100000');
    expect(cpuLimit(host('3:cpu:/kubepods/burstable/pod9/abc\n')).cpus).toBe(1);
  });

  it('no cgroup information (not Linux): the schedulable CPUs, at least 1', () => {
    expect(cpuLimit(host('', 0)).cpus).toBe(1);
  });
});

describe('evaluation.workers: auto', () => {
  it('evaluates on the event loop with one CPU, one worker per CPU with more', () => {
    expect([1, 2, 4].map((n) => autoWorkers(n))).toEqual([0, 2, 4]);
  });
});
