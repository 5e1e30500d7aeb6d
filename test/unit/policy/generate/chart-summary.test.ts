// The chart's policy summary: every policy with its kinds and operations, and every built-in
// kind of the one kinds table mapped to the resources a webhook rule names.
import { join } from 'node:path';
import { chartSummary } from '../../../../src/policy/generate/chart-summary';
import { readPolicyFolders } from '../../../../src/policy/generate/policy-folders';
import type { GeneratorPolicy } from '../../../../src/policy/generate/policy-folders';
import { BUILTIN_KINDS } from '../../../../src/policy/source/kinds';

const ROOT = join(__dirname, '..', '..', '..', '..');

// Plain objects, as the chart reads them.
const render = (policies: GeneratorPolicy[]) => structuredClone(chartSummary(policies));

it('maps every kind a built-in policy names, and names every built-in kind', () => {
  const policies = readPolicyFolders(ROOT);
  const summary = render(policies);
  expect(Object.keys(summary.policies)).toEqual(policies.map((p) => p.id));
  for (const [id, p] of Object.entries(summary.policies)) {
    for (const kind of p.kinds.filter((k) => k !== '*')) {
      expect(`${id}: ${kind} ${kind in summary.kinds}`).toBe(`${id}: ${kind} true`);
    }
  }
  expect(Object.keys(summary.kinds).sort()).toEqual(
    [...new Set(BUILTIN_KINDS.map((k) => k.kind))].sort(),
  );
});

it('takes group, preferred version and webhook resources from the kinds table', () => {
  const { kinds } = render([]);
  expect(kinds.Pod).toEqual({
    group: '',
    version: 'v1',
    resources: ['pods', 'pods/ephemeralcontainers'],
  });
  expect(kinds.HorizontalPodAutoscaler).toEqual({
    group: 'autoscaling',
    version: 'v2',
    resources: ['horizontalpodautoscalers'],
  });
  // Event is served by two groups; policy.yaml's name means the core one.
  expect(kinds.Event?.group).toBe('');
});

it('defaults operations to CREATE and UPDATE and refuses a kind the table lacks', () => {
  const policy = (kinds: string[], operations?: string[]): GeneratorPolicy => ({
    id: 'x',
    dir: '/p/x',
    meta: {
      id: 'x',
      title: 'X',
      description: 'd',
      severity: 'low',
      action: 'warn',
      match: { kinds, ...(operations ? { operations } : {}) } as GeneratorPolicy['meta']['match'],
      docs: 'https://example.com',
    },
  });
  expect(render([policy(['Pod'])]).policies.x?.operations).toEqual(['CREATE', 'UPDATE']);
  expect(render([policy(['*'], ['DELETE'])]).policies.x).toMatchObject({
    kinds: ['*'],
    operations: ['DELETE'],
  });
  expect(() => render([policy(['Widget'])])).toThrow(
    expect.objectContaining({
      code: 'PAL_GEN_SOURCE',
      message: '/p/x/policy.yaml: kind Widget is not in src/policy/source/kinds.ts',
    }),
  );
});
