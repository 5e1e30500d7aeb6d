// palisade eval: evaluates Kubernetes manifests (or AdmissionReviews) with the webhook's engine
// and prints, per object, the decision and what kubectl would show. docs/cli.md.
import { parseArgs } from 'node:util';
import type { Operation } from '../../admission/types';
import {
  OPERATIONS,
  DEFAULT_USER,
  type RequestOptions,
} from '../../policy/source/manifest-request';
import { CliError, usageError } from '../cli-error';
import { evaluateTargets } from '../evaluate';
import { FORMATTERS, FORMATS, parseFormatSpecs } from '../formatters';
import type { CliIo } from '../io';
import { cliNamespaceLabels, parseLabelFlags, warnUnknownNamespaces } from '../namespace-labels';
import { writeOutputs } from '../outputs';
import { inventoryOfDocuments } from '../../gatekeeper/inventory';
import { loadGatekeeperObjects } from '../../gatekeeper/load-objects';
import { compileGatekeeperInputs, hasGatekeeperObjects } from '../gatekeeper-inputs';
import { openPolicies } from '../open-policies';
import { STDIN } from '../../policy/source/yaml';
import { prepareReviews } from '../prepare-reviews';
import {
  DEFAULT_PROFILE_RUNS,
  MAX_PROFILE_RUNS,
  formatProfileJson,
  formatProfileTable,
  profilePolicies,
} from '../profile';
import { progressBar } from '../progress';
import { readDocuments, throwOnProblems } from '../read-inputs';
import { exitCode, LEVELS, type Report } from '../results';
import { VERSION } from '../version';

export const EVAL_USAGE = `Usage: palisade eval -f <file|dir|-> [-f ...] [options]

Evaluates Kubernetes manifests (multi-document YAML or JSON, a directory of them, or - for
stdin, e.g. helm template output) as the AdmissionReviews the apiserver would send, with the
webhook's own engine. A document that is an AdmissionReview is evaluated as it is.
Gatekeeper ConstraintTemplates and constraints among the inputs are compiled (opa) and
evaluated as the policies instead of the bundle's (docs/gatekeeper.md).

Request:
  --operation OP      CREATE (default), UPDATE, DELETE or CONNECT
  --old FILE          the objects before an UPDATE (file, dir or -); matched by kind, namespace, name
  -n, --namespace NS  namespace of objects that do not name one (default "default")
  --namespace-labels K=V[,K=V]
                      labels of the objects' namespaces, for match.namespaceSelector
                      (a Namespace among the inputs brings its own); repeatable
  --user NAME         userInfo.username (default ${DEFAULT_USER})
  --group NAME        userInfo.groups, repeatable (system:authenticated is always added)
Policies:
  -c, --config FILE   webhook config (docs/configuration.md): actions, parameters, match, exemptions
  --bundle DIR        compiled bundle (default dist/bundle)
  --policy GLOB       only policies whose id matches, repeatable (e.g. --policy 'disallow-*')
  --action ACTION     evaluate the selected policies as deny, warn or audit
  --inventory FILE    objects (file, dir) for data.inventory, as Gatekeeper syncs them for
                      referential policies; repeatable
Output:
  --format F[=FILE]   ${FORMATS.join(', ')}; repeatable, one to stdout, others to files
  --fail-on LEVEL     exit 1 on a violation at or above deny (default), warn or audit
  -v, --verbose       stack traces on errors
Profile:
  --profile           time each applicable policy alone on the inputs instead of reporting
                      decisions: a table sorted by cost (--format text or json)
  --profile-runs N    timed evaluations per policy and input (default ${DEFAULT_PROFILE_RUNS})

Exit: 0 clean, 1 violations at or above --fail-on, 2 usage, input or tool error.`;

export async function evalCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      operation: { type: 'string' },
      old: { type: 'string', multiple: true },
      namespace: { type: 'string', short: 'n' },
      'namespace-labels': { type: 'string', multiple: true },
      user: { type: 'string' },
      group: { type: 'string', multiple: true },
      config: { type: 'string', short: 'c' },
      bundle: { type: 'string' },
      policy: { type: 'string', multiple: true },
      action: { type: 'string' },
      format: { type: 'string', short: 'o', multiple: true },
      'fail-on': { type: 'string' },
      inventory: { type: 'string', multiple: true },
      verbose: { type: 'boolean', short: 'v' },
      profile: { type: 'boolean' },
      'profile-runs': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.stdout.write(`${EVAL_USAGE}\n`);
    return 0;
  }
  const files = [...(values.file ?? []), ...positionals];
  if (files.length === 0) throw usageError('eval needs -f <file|dir|-> (see palisade eval --help)');
  if (
    files.filter((f) => f === '-').length + (values.old ?? []).filter((f) => f === '-').length >
    1
  ) {
    throw usageError('stdin (-) can be read only once');
  }
  const operation = oneOf('--operation', values.operation?.toUpperCase(), OPERATIONS) ?? 'CREATE';
  if (values.old && values.operation && operation !== 'UPDATE') {
    throw usageError('--old describes an UPDATE; it cannot be used with --operation ' + operation);
  }
  const failOn = oneOf('--fail-on', values['fail-on'], LEVELS) ?? 'deny';
  const action = oneOf('--action', values.action, LEVELS);
  const outputs = parseFormatSpecs(values.format ?? []);
  const profileRuns = profileRunsOf(values.profile, values['profile-runs'], outputs);
  const flagLabels = values['namespace-labels'] && parseLabelFlags(values['namespace-labels']);
  const request: RequestOptions = {
    operation: values.old ? 'UPDATE' : (operation as Operation),
    namespace: values.namespace,
    username: values.user ?? DEFAULT_USER,
    groups: values.group ?? [],
  };

  const input = await readDocuments(files, io.stdin);
  const old = values.old ? await readDocuments(values.old, io.stdin) : undefined;
  // ConstraintTemplates and constraints among the inputs are policies, not objects to evaluate.
  const gatekeeper = loadGatekeeperObjects(input.docs);
  // With templates the constraints are the only policies, and gator reviews any kind: the
  // kinds table's refusals (Palisade's own policies need them) do not apply.
  const prepared = prepareReviews(gatekeeper.rest, request, old?.docs, {
    anyKind: hasGatekeeperObjects(gatekeeper),
  });
  const inventory = values.inventory ? await readInventory(values.inventory, io) : undefined;
  // Every problem of every input at once, in input order; nothing is evaluated if there is one.
  throwOnProblems([
    ...input.problems,
    ...gatekeeper.problems,
    ...(old?.problems ?? []),
    ...prepared.problems,
    ...(inventory?.problems ?? []),
  ]);
  if (prepared.targets.length === 0) {
    const named = files.map((f) => (f === '-' ? STDIN : f)).join(', ');
    throw new CliError('PAL_CLI_INPUT', `no Kubernetes objects in ${named}`);
  }
  if (prepared.unmatchedOld.length > 0) {
    io.stderr.write(
      `palisade: not evaluated: ${prepared.unmatchedOld.length} object(s) of --old have no counterpart in -f (a deletion is not inferred): ${prepared.unmatchedOld.join(', ')}\n`,
    );
  }

  if (hasGatekeeperObjects(gatekeeper) && values.bundle) {
    throw usageError(
      '--bundle cannot be combined with ConstraintTemplates among the inputs (they compile into a bundle of their own)',
    );
  }
  const compiled = hasGatekeeperObjects(gatekeeper)
    ? await compileGatekeeperInputs(gatekeeper, io)
    : undefined;
  let report: Report;
  try {
    if (profileRuns) return await profileAll(compiled, profileRuns);
    report = await evaluateAll(compiled);
  } finally {
    compiled?.close();
  }
  for (const r of report.results.filter((x) => x.error)) {
    io.stderr.write(
      `palisade: ${r.source}:${r.line}: ${r.kind} ${r.name}: not evaluated: ${r.error}\n`,
    );
  }
  await writeOutputs(outputs, (format, color) => FORMATTERS[format]({ ...report, color }), io);
  return exitCode(report.results, failOn);

  /** --profile: each policy alone on the inputs, the table (or JSON) to stdout; exit 0. */
  async function profileAll(gk: typeof compiled, runs: number): Promise<number> {
    const opened = await openEvalPolicies(gk);
    try {
      const namespaces = cliNamespaceLabels(prepared.targets, flagLabels);
      const r = await profilePolicies(prepared.targets, opened.snapshot, runs, {
        namespaceLabels: namespaces.lookup,
      });
      warnUnknownNamespaces(namespaces, io);
      const json = outputs[0]?.format === 'json';
      io.stdout.write(json ? formatProfileJson(r) : formatProfileTable(r));
      return 0;
    } finally {
      await opened.runtime.close();
    }
  }

  function openEvalPolicies(gk: typeof compiled) {
    return openPolicies(
      {
        config: values.config,
        bundle: gk?.bundle ?? values.bundle,
        policies: values.policy ?? [],
        action,
        constraints: gk?.constraints,
      },
      io,
    );
  }

  async function evaluateAll(gk: typeof compiled): Promise<Report> {
    const opened = await openEvalPolicies(gk);
    try {
      for (const note of opened.notes) io.stderr.write(`palisade: ${note}\n`);
      if (inventory) await opened.runtime.setInventory(inventory.json);
      const namespaces = cliNamespaceLabels(prepared.targets, flagLabels);
      const progress = progressBar(io.stderr, prepared.targets.length, 'evaluating');
      const results = await evaluateTargets(
        prepared.targets,
        opened.snapshot,
        () => progress.tick(),
        {
          namespaceLabels: namespaces.lookup,
        },
      );
      progress.done();
      warnUnknownNamespaces(namespaces, io);
      return { results, policies: opened.evaluated, failOn, color: false, version: VERSION };
    } finally {
      await opened.runtime.close();
    }
  }
}

/** --profile-runs N (with --profile); undefined without --profile. */
function profileRunsOf(
  profile: boolean | undefined,
  runs: string | undefined,
  outputs: ReturnType<typeof parseFormatSpecs>,
): number | undefined {
  if (!profile) {
    if (runs !== undefined) throw usageError('--profile-runs needs --profile');
    return undefined;
  }
  if (outputs.length > 1 || outputs.some((o) => o.file || !['text', 'json'].includes(o.format)))
    throw usageError('--profile prints one table to stdout: --format text or json');
  if (runs === undefined) return DEFAULT_PROFILE_RUNS;
  const n = Number(runs);
  if (!/^\d+$/.test(runs) || n < 1 || n > MAX_PROFILE_RUNS)
    throw usageError(
      `--profile-runs must be a whole number from 1 to ${MAX_PROFILE_RUNS} (got "${runs}")`,
    );
  return n;
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
}

/** --inventory: every object of the files, as data.inventory (docs/gatekeeper.md#inventory). */
async function readInventory(paths: readonly string[], io: CliIo) {
  const read = await readDocuments(paths, io.stdin);
  const inventory = inventoryOfDocuments(read.docs);
  return { json: inventory.json, problems: [...read.problems, ...inventory.problems] };
}
