// Machine output with a fixed shape (docs/cli.md):
// {"results":[{"source","kind","namespace","name","allowed","violations":[{"policy","action","msg","path"}]}]}
import type { Report } from '../results';

export function formatJson(report: Report): string {
  const results = report.results.map((r) => ({
    source: r.source,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    allowed: r.allowed,
    violations: r.violations.map((v) => ({
      policy: v.policy,
      action: v.action,
      msg: v.msg,
      path: v.path,
    })),
  }));
  return `${JSON.stringify({ results }, null, 2)}\n`;
}
