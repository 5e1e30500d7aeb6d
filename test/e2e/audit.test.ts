// Issue 15, deliver 5, end to end against the real kube-apiserver, with two Palisade processes
// auditing on one Lease. Objects that break policies exist before any Palisade runs (no webhook
// is registered: nothing refuses them). The leader, and only it, writes Reports with exactly
// those failures (deny and audit actions fail, warn warns, a policy turned off gives no result).
// Fixing an object flips its result to pass from its watch event, with no rescan in between.
// SIGTERM on the leader releases the Lease and the other process takes over at once and keeps
// the Reports current; a third process waits, and SIGKILL on the leader hands the Lease over
// only after it expires; the new leader deletes the Report of a namespace being deleted.
// audit.namespaces keeps the scan to this test's namespaces: the cluster is shared.
import { KUBECONFIG, kubectl, requireCluster } from '../support/cluster';
import {
  applyIn as apply,
  deployment,
  eventually,
  installReportCrds,
  reportsIn,
} from './audit-cluster';
import { startPalisade, type LogLine, type Palisade } from '../support/palisade';
import { onlyPolicies } from '../support/policy-selection';
import { BUNDLE } from '../support/root';
import { createNamespace, uniqueName } from './namespaces';

const run = uniqueName('a1-audit');
const nsA = `${run}-a`;
const nsB = `${run}-b`;
const lease = `${run}-lease`;
const running: Palisade[] = [];

const LEADING = 'audit: leading; scanning';
const WRITTEN = 'audit: reports written';

function startAuditing(): Promise<Palisade> {
  return startPalisade({
    config: {
      bundle: BUNDLE,
      policies: onlyPolicies({
        'pss-baseline-privileged': {}, // deny
        'disallow-latest-tag': { action: 'audit' },
        'require-probes': { action: 'warn' },
        'pss-baseline-host-namespaces': { action: 'off' },
      }),
      kubernetes: { kubeconfig: KUBECONFIG },
      audit: {
        enabled: true,
        namespaces: [nsA, nsB],
        intervalMinutes: 600, // no rescan during the test: changes come from watches
        // Short, so the SIGKILL takeover (after expiry) is quick.
        lease: {
          name: lease,
          namespace: 'default',
          durationSeconds: 4,
          renewDeadlineSeconds: 3,
          retryPeriodSeconds: 1,
        },
      },
    },
  }).then((p) => {
    running.push(p);
    return p;
  });
}

interface Report {
  metadata: { name: string; resourceVersion: string };
  summary: Record<string, number>;
  results?: Array<{ policy: string; result: string; resources: Array<{ name: string }> }>;
}

/** "object policy result" of every result that is not a pass, sorted. */
async function findings(ns: string): Promise<string[]> {
  return (await reportsIn<Report>(ns))
    .flatMap((r) => r.results ?? [])
    .filter((x) => x.result !== 'pass')
    .map((x) => `${x.resources[0]!.name} ${x.policy} ${x.result}`)
    .sort();
}

async function holder(): Promise<string> {
  const r = await kubectl([
    'get',
    'lease',
    lease,
    '-n',
    'default',
    '-o',
    'jsonpath={.spec.holderIdentity}',
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
}

const lines = (p: Palisade, msg: string) => p.logLines().filter((l) => l.msg === msg);
const identityOf = async (p: Palisade) =>
  String((await p.waitForLog((l) => l.msg === LEADING)).identity);
const listedLines = (p: Palisade) =>
  p.logLines().filter((l: LogLine) => l.msg.endsWith(': listed, watching for changes')).length;

let first: Palisade;
let second: Palisade;
let leader: Palisade;
let follower: Palisade;

beforeAll(async () => {
  requireCluster();
  await installReportCrds();
  await createNamespace(nsA);
  await createNamespace(nsB);
  // Before any Palisade runs, and with no webhook registered: nothing refuses these.
  await apply(nsA, deployment('priv', { privileged: true }));
  await apply(nsA, deployment('latest', { image: 'registry.example.com/app:latest' }));
  await apply(nsA, deployment('noprobes', { probes: false }));
  await apply(nsA, deployment('hostnet', { hostNetwork: true }));
  await apply(nsA, deployment('clean'));
  await apply(nsB, deployment('priv-b', { privileged: true }));
});

afterAll(async () => {
  for (const p of running) await p.process.stop('SIGKILL');
  await kubectl(['delete', 'namespace', nsA, nsB, '--wait=false']);
  await kubectl(['delete', 'lease', lease, '-n', 'default']);
});

it('of two processes, the leader alone writes Reports with exactly the pre-existing failures', async () => {
  first = await startAuditing();
  second = await startAuditing();
  // Whichever took the Lease leads; the other never does while it renews.
  const winner = await Promise.race(
    [first, second].map((p) => p.waitForLog((l) => l.msg === LEADING).then(() => p)),
  );
  leader = winner;
  follower = winner === first ? second : first;
  await leader.waitForLog((l) => l.msg === WRITTEN);
  expect(await holder()).toBe(await identityOf(leader));
  expect(await findings(nsA)).toEqual([
    'latest disallow-latest-tag fail', // audit action: reported as fail
    'noprobes require-probes warn',
    'priv pss-baseline-privileged fail',
  ]); // hostnet breaks pss-baseline-host-namespaces, which is off: no result
  expect(
    (await reportsIn<Report>(nsA))
      .flatMap((r) => r.results ?? [])
      .some((x) => x.policy === 'pss-baseline-host-namespaces'),
  ).toBe(false);
  expect(await findings(nsB)).toEqual(['priv-b pss-baseline-privileged fail']);
  expect(lines(follower, LEADING)).toEqual([]);
  expect(lines(follower, WRITTEN)).toEqual([]);
});

it('flips a fixed object to pass from its watch event, with no list in between', async () => {
  const listed = listedLines(leader);
  const passes = lines(leader, WRITTEN).length;
  await apply(nsA, deployment('priv'));
  await eventually(async () =>
    expect(await findings(nsA)).toEqual([
      'latest disallow-latest-tag fail',
      'noprobes require-probes warn',
    ]),
  );
  expect(listedLines(leader)).toBe(listed);
  expect(lines(leader, WRITTEN).length).toBeGreaterThan(passes);
  expect(lines(follower, WRITTEN)).toEqual([]);
});

it('on SIGTERM the leader releases the Lease; the other takes over and keeps the Reports current', async () => {
  const old = await identityOf(leader);
  expect(await leader.process.stop('SIGTERM')).toBe(0);
  expect(lines(leader, 'leader election: lease released')).toHaveLength(1);
  // Released, not left to expire: the Lease no longer names the stopped process.
  expect(await holder()).not.toBe(old);
  await follower.waitForLog((l) => l.msg === LEADING);
  await follower.waitForLog((l) => l.msg === WRITTEN);
  expect(await holder()).toBe(await identityOf(follower));
  // A new failure, written by the new leader.
  await apply(nsA, deployment('clean', { privileged: true }));
  await eventually(async () =>
    expect(await findings(nsA)).toContain('clean pss-baseline-privileged fail'),
  );
  leader = follower;
});

it('after SIGKILL the Lease stays with the killed leader until it expires, then a waiting process takes over', async () => {
  const waiting = await startAuditing();
  const killed = await identityOf(leader);
  await leader.process.stop('SIGKILL');
  expect(await holder()).toBe(killed); // nothing released it
  await waiting.waitForLog((l) => l.msg === LEADING);
  await waiting.waitForLog((l) => l.msg === WRITTEN);
  expect(await holder()).toBe(await identityOf(waiting));
  expect(await findings(nsA)).toEqual([
    'clean pss-baseline-privileged fail',
    'latest disallow-latest-tag fail',
    'noprobes require-probes warn',
  ]);
  // The new leader removes the Report of a namespace being deleted.
  expect((await reportsIn<Report>(nsB)).length).toBeGreaterThan(0);
  expect((await kubectl(['delete', 'namespace', nsB, '--wait=false'])).code).toBe(0);
  await eventually(async () => expect(await reportsIn<Report>(nsB)).toEqual([]));
  expect((await reportsIn<Report>(nsA)).length).toBeGreaterThan(0);
});
