// SARIF 2.1.0 for code scanning (GitHub upload-sarif and other SARIF consumers). One rule per
// evaluated policy, from its metadata; one result per violation, located at the source file and
// the line of the violation's field path.
// Spec: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
import { createHash } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { PolicyMeta } from '../../policy/policy-meta';
import { STDIN } from '../../policy/source/yaml';
import type { Level, ObjectResult, Report, ResultViolation } from '../results';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Level, Result.level> = { deny: 'error', warn: 'warning', audit: 'note' };

/** GitHub ranks alerts by `security-severity` (0.0-10.0): critical > 9, high 7-8.9, ... */
const SECURITY_SEVERITY: Record<string, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
};

export function formatSarif(report: Report): string {
  const rules = report.policies.map(rule);
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.results.flatMap((r) => r.violations.map((v) => result(r, v, index)));
  const log: Log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'palisade',
            semanticVersion: report.version,
            rules,
          },
        },
        invocations: [{ executionSuccessful: report.results.every((r) => r.outcome !== 'error') }],
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function rule(p: PolicyMeta): ReportingDescriptor {
  const controls = controlTags(p.controls);
  return {
    id: p.id,
    name: p.id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: p.title },
    fullDescription: { text: p.description ?? p.title },
    ...(p.docs ? { helpUri: p.docs } : {}),
    help: {
      text: `${p.description ?? p.title}${p.docs ? `\n\n${p.docs}` : ''}`,
      markdown: `**${p.title}**\n\n${p.description ?? ''}${p.docs ? `\n\n[Documentation](${p.docs})` : ''}`,
    },
    defaultConfiguration: { level: p.action === 'off' ? 'none' : LEVEL[p.action] },
    properties: {
      tags: ['security', 'kubernetes', ...controls],
      precision: 'very-high',
      ...(p.severity && SECURITY_SEVERITY[p.severity]
        ? { 'security-severity': SECURITY_SEVERITY[p.severity] }
        : {}),
    },
  };
}

function controlTags(controls: PolicyMeta['controls']): string[] {
  const c = (controls ?? {}) as { pss?: { level?: string }; cis?: string[] };
  const tags: string[] = [];
  if (c.pss?.level) tags.push(`pss-${c.pss.level}`);
  for (const id of c.cis ?? []) tags.push(`cis-${id}`);
  return tags;
}

function result(r: ObjectResult, v: ResultViolation, index: Map<string, number>): Result {
  const object = `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
  const ruleIndex = index.get(v.policy);
  return {
    ruleId: v.policy,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    level: LEVEL[v.action],
    message: { text: `${object}: ${v.msg}${v.fix ? ` Fix: ${v.fix}` : ''}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(r) },
          // Lines count in the file read; a helm template's own lines are unknown.
          ...(r.source === STDIN ? {} : { region: { startLine: Math.max(1, v.line) } }),
        },
        logicalLocations: [
          {
            name: v.path || object,
            fullyQualifiedName: `${object}${v.path ? `.${v.path}` : ''}`,
            kind: 'object',
          },
        ],
      },
    ],
    partialFingerprints: {
      'palisadeViolation/v1': createHash('sha256')
        .update(JSON.stringify([r.source, object, v.policy, v.path, v.msg]))
        .digest('hex'),
    },
  };
}

/** A repository-relative URI for relative paths (what code scanning resolves), else file://. */
export function artifactUri(r: Pick<ObjectResult, 'source' | 'template'>): string {
  if (r.source === STDIN) return r.template ? encodePath(r.template) : 'stdin';
  if (isAbsolute(r.source)) return pathToFileURL(r.source).href;
  return encodePath(r.source.replace(/\\/g, '/').replace(/^\.\//, ''));
}

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}
