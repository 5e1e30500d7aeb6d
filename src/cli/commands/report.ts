// palisade report: which controls hold. Evaluates manifests (or `kubectl get -o yaml` output), or
// every object of a cluster the enabled policies match, with the audit's per-object evaluation
// (src/audit/object-audit.ts: admission's engine, config and exemptions), and prints per
// framework (Pod Security Standards, CIS Kubernetes Benchmark, NSA-CISA Hardening Guide) each
// control, the policies implementing it, pass / fail counts and the failing objects; controls no
// enabled policy covers are listed as not covered. docs/compliance.md.
import { parseArgs } from 'node:util';
import { scanCluster } from '../../audit/compliance/cluster-objects';
import { auditObject, type ObjectAudit } from '../../audit/object-audit';
import { RENDERERS, REPORT_FORMATS, type ReportFormat } from '../../audit/compliance/formats';
import type { ComplianceReport, ReportSource } from '../../audit/compliance/report-model';
import { CATALOGUE } from '../../audit/compliance/catalogue';
import { ComplianceTally, type EnabledPolicy } from '../../audit/compliance/tally';
import { describeThrown } from '../../errors';
import type { KubeObject } from '../../policy/request';
import { customKindsOf, resolveKind, type KindInfo } from '../../policy/source/kinds';
import { requestNamespace } from '../../policy/source/manifest-request';
import type { SourceDocument } from '../../policy/source/yaml';
import { CliError, usageError } from '../cli-error';
import { painter } from '../color';
import { parseFormatSpecs, type OutputSpec } from '../formatters';
import type { CliIo } from '../io';
import { cliNamespaceLabels, parseLabelFlags, warnUnknownNamespaces } from '../namespace-labels';
import { writeOutputs } from '../outputs';
import { openPolicies, type OpenPolicies } from '../open-policies';
import { progressBar } from '../progress';
import { readDocuments, throwOnProblems } from '../read-inputs';
import { VERSION } from '../version';

export const REPORT_USAGE = `Usage: palisade report (-f <file|dir|-> [-f ...] | --kubeconfig FILE) [options]

Which controls hold: every control of the Pod Security Standards, the CIS Kubernetes Benchmark
(section 5) and the NSA-CISA Kubernetes Hardening Guide, the enabled policies implementing it,
how many objects pass and fail it, and each failing object with its path, message and fix.
Controls no enabled policy implements are listed as not covered. Objects are evaluated as the
background audit evaluates them: admission's engine, config and exemptions (docs/compliance.md).

Objects:
  -f, --file PATH     manifests or \`kubectl get -o yaml\` output (a List): a file, a directory
                      or - for stdin; repeatable
  -n, --namespace NS  namespace of manifests that do not name one (default "default"); with
                      --kubeconfig, only this namespace's objects (repeatable; cluster-scoped
                      objects are always listed)
  --namespace-labels K=V[,K=V]
                      labels of the manifests' namespaces, for match.namespaceSelector
                      (a Namespace among the inputs brings its own); repeatable
  --kubeconfig FILE   instead of -f: list a cluster (its current context), every kind the
                      enabled policies match, page by page (needs list on those kinds and on
                      namespaces)
  --page-size N       objects per list page (default 500)
Policies:
  -c, --config FILE   webhook config (docs/configuration.md): actions, parameters, match, exemptions
  --bundle DIR        compiled bundle (default dist/bundle)
  --policy GLOB       only policies whose id matches, repeatable
Output:
  --max-failures N    failing objects listed per control, the first found (default 100; 0: all);
                      the counts always include every object
  --format F[=FILE]   ${REPORT_FORMATS.join(', ')} (one self-contained page); repeatable, one to
                      stdout, others to files (default text)
  -v, --verbose       stack traces on errors

Exit: 0 every covered control holds, 1 a control fails, 2 usage, input or tool error, or an
object that could not be evaluated.`;

/** The command line, checked once: every usage error before anything is read. */
interface ReportOptions {
  files: string[];
  kubeconfig?: string;
  /** Manifests: the one namespace of objects that name none; a cluster: the namespaces listed. */
  namespaces: string[];
  flagLabels?: Record<string, string>;
  pageSize: number;
  maxFailures: number;
  policies: { config?: string; bundle?: string; policies: string[] };
  outputs: OutputSpec<ReportFormat>[];
}

export async function reportCommand(argv: string[], io: CliIo): Promise<number> {
  const opts = parseOptions(argv);
  if (!opts) {
    io.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  // Manifests are read and checked before the policies load: a bad input fails fast.
  const manifests = opts.kubeconfig
    ? undefined
    : await readManifests(opts.files, opts.namespaces[0], io);
  const opened = await openPolicies(opts.policies, io);
  let report: ComplianceReport;
  try {
    for (const note of opened.notes) io.stderr.write(`palisade: ${note}\n`);
    const tally = new ComplianceTally(enabled(opened), CATALOGUE, opts.maxFailures || Infinity);
    const source = manifests
      ? await tallyManifests(manifests, opened, tally, opts, io)
      : await tallyCluster(opened, tally, opts, io);
    report = tally.report({
      generatedAt: new Date().toISOString(),
      palisadeVersion: VERSION,
      source,
    });
  } finally {
    await opened.runtime.close();
  }
  await writeOutputs(
    opts.outputs,
    (format, color) => RENDERERS[format](report, painter(color)),
    io,
  );
  if (report.totals.errors > 0) return 2;
  return report.frameworks.some((f) => f.summary.failing > 0) ? 1 : 0;
}

/** The options, or undefined for --help. */
function parseOptions(argv: string[]): ReportOptions | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      namespace: { type: 'string', short: 'n', multiple: true },
      'namespace-labels': { type: 'string', multiple: true },
      kubeconfig: { type: 'string' },
      'page-size': { type: 'string' },
      'max-failures': { type: 'string' },
      config: { type: 'string', short: 'c' },
      bundle: { type: 'string' },
      policy: { type: 'string', multiple: true },
      format: { type: 'string', short: 'o', multiple: true },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const files = [...(values.file ?? []), ...positionals];
  if (files.length === 0 && !values.kubeconfig) {
    throw usageError(
      'report needs -f <file|dir|-> or --kubeconfig FILE (see palisade report --help)',
    );
  }
  if (files.length > 0 && values.kubeconfig) {
    throw usageError('give either -f (manifests) or --kubeconfig (a cluster), not both');
  }
  if (files.filter((f) => f === '-').length > 1)
    throw usageError('stdin (-) can be read only once');
  const namespaces = values.namespace ?? [];
  if (values.kubeconfig && values['namespace-labels']) {
    throw usageError('--namespace-labels describes manifests; a cluster has its own');
  }
  if (!values.kubeconfig && namespaces.length > 1) {
    throw usageError('-n names the one namespace of manifests that name none; give it once');
  }
  const labels = values['namespace-labels'];
  return {
    files,
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    namespaces,
    ...(labels ? { flagLabels: parseLabelFlags(labels) } : {}),
    pageSize: integer('--page-size', values['page-size'], 500, 1, 5000),
    maxFailures: integer('--max-failures', values['max-failures'], 100, 0, 1_000_000),
    policies: { config: values.config, bundle: values.bundle, policies: values.policy ?? [] },
    outputs: parseFormatSpecs<ReportFormat>(values.format ?? [], REPORT_FORMATS),
  };
}

async function tallyCluster(
  opened: OpenPolicies,
  tally: ComplianceTally,
  opts: ReportOptions,
  io: CliIo,
): Promise<ReportSource> {
  const kubeconfig = opts.kubeconfig!;
  await scanCluster(
    opened.snapshot,
    {
      kubeconfig,
      pageSize: opts.pageSize,
      ...(opts.namespaces.length > 0 ? { namespaces: opts.namespaces } : {}),
      onNote: (note) => io.stderr.write(`palisade: ${note}\n`),
      onAudit: (audit) => sayNotEvaluated(audit, io),
    },
    tally,
  );
  return { type: 'cluster', inputs: [kubeconfig] };
}

interface Manifest {
  doc: SourceDocument;
  object: KubeObject;
  kind: KindInfo;
}

/** Every object of the inputs with its kind, its namespace filled in as the apiserver would. */
async function readManifests(
  files: readonly string[],
  namespace: string | undefined,
  io: CliIo,
): Promise<Manifest[]> {
  const { docs, problems } = await readDocuments(files, io.stdin);
  const custom = customKindsOf(docs.map((d) => d.object));
  const out: Manifest[] = [];
  for (const doc of docs) {
    const object = doc.object as KubeObject;
    try {
      const kind = resolveKind(String(object.apiVersion), String(object.kind), custom);
      const ns = requestNamespace(object, kind, namespace);
      const metadata = { ...(object.metadata ?? {}), ...(ns ? { namespace: ns } : {}) };
      out.push({ doc, object: { ...object, metadata }, kind });
    } catch (thrown) {
      problems.push({ source: doc.source, line: doc.line, message: describeThrown(thrown) });
    }
  }
  throwOnProblems(problems);
  if (out.length === 0) {
    throw new CliError('PAL_CLI_INPUT', `no Kubernetes objects in ${files.join(', ')}`);
  }
  return out;
}

async function tallyManifests(
  manifests: readonly Manifest[],
  opened: OpenPolicies,
  tally: ComplianceTally,
  opts: ReportOptions,
  io: CliIo,
): Promise<ReportSource> {
  const asInputs = manifests.map((m) => ({
    review: {
      request: {
        kind: { group: m.kind.group, version: m.kind.version, kind: m.kind.kind },
        object: m.object,
      },
    },
  }));
  const namespaces = cliNamespaceLabels(asInputs, opts.flagLabels);
  const progress = progressBar(io.stderr, manifests.length, 'evaluating');
  for (const m of manifests) {
    const audit = await auditObject(m.object, m.kind, opened.snapshot, {
      namespaceLabels: namespaces.lookup,
    });
    const source = `${m.doc.source}:${m.doc.line}`;
    tally.add(audit, source);
    sayNotEvaluated(audit, io, source);
    progress.tick();
  }
  progress.done();
  warnUnknownNamespaces(namespaces, io);
  return { type: 'manifests', inputs: opts.files };
}

/** An object that could not be evaluated is named on stderr with the reason (exit 2). */
function sayNotEvaluated(audit: ObjectAudit, io: CliIo, source?: string): void {
  const error = audit.results.find((r) => r.result === 'error');
  if (!error) return;
  const { kind, namespace, name } = audit.ref;
  const where = source ? `${source}: ` : '';
  io.stderr.write(
    `palisade: ${where}${kind} ${namespace ? `${namespace}/` : ''}${name}: not evaluated: ${error.message}\n`,
  );
}

/** The policies evaluated, with their action in force (openPolicies leaves out those off). */
function enabled(opened: OpenPolicies): EnabledPolicy[] {
  return opened.evaluated.flatMap((m) => (m.action === 'off' ? [] : [{ ...m, action: m.action }]));
}

function integer(
  flag: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw usageError(`${flag} must be an integer from ${min} to ${max} (got "${value}")`);
  }
  return n;
}
