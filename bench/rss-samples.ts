// A process's resident set size sampled at a fixed interval, and what the soak reports of it:
// first, after warm-up, last, max, and the least-squares slope after warm-up (start-up, JIT
// warm-up and the worker isolates' growth are over by then, so a slope left is growth).
import { readFileSync } from 'node:fs';

export interface RssSample {
  /** Seconds since sampling started. */
  t: number;
  rss: number;
}

function rssMiB(pid: number): number {
  return statusMiB(pid, 'VmRSS');
}

/** Peak resident set size (VmHWM, the high-water mark) of a process, in MiB. */
export function peakRssMiB(pid: number): number {
  return statusMiB(pid, 'VmHWM');
}

function statusMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** Least-squares slope of rss over t. */
export function slope(points: RssSample[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.rss, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mx) * (p.rss - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/** Samples now and every intervalS seconds (each one also on stderr) until stop(). */
export function sampleRss(pid: number, intervalS: number) {
  const samples: RssSample[] = [];
  const start = Date.now();
  const sample = () => {
    const s = { t: (Date.now() - start) / 1000, rss: rssMiB(pid) };
    samples.push(s);
    process.stderr.write(`t=${s.t.toFixed(0)}s rss=${s.rss} MiB\n`);
  };
  sample();
  const timer = setInterval(sample, intervalS * 1000);
  return {
    samples,
    /** Takes a last sample (unless the process is gone) and stops. */
    stop: (last: boolean) => {
      clearInterval(timer);
      if (last) sample();
    },
  };
}

export function summarizeRss(samples: RssSample[], warmUpS: number) {
  const steady = samples.filter((s) => s.t >= warmUpS);
  return {
    rss_first_mib: samples[0]!.rss,
    rss_after_warm_up_mib: steady[0]?.rss,
    rss_last_mib: samples[samples.length - 1]!.rss,
    rss_max_mib: Math.max(...samples.map((s) => s.rss)),
    slope_mib_per_min: Math.round(slope(steady) * 60 * 1000) / 1000,
  };
}
