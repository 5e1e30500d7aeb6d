// The chart as a whole: helm lint (Helm 3 and 4), the same render from both, values.schema.json
// refusing typos, every value documented, and files/policies.json in step with policies/.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml';
import { CHART, HELMS, ROOT, render, renderError, SCENARIOS, type Helm } from './render';

const cases = ['default', ...SCENARIOS];
const valuesOf = (scenario: string) => (scenario === 'default' ? [] : [scenario]);

function lint(helm: Helm, scenario: string): string {
  const files = valuesOf(scenario).flatMap((f) => ['-f', join(CHART, 'ci', f)]);
  return execFileSync(HELMS[helm], ['lint', CHART, '--strict', ...files], { encoding: 'utf8' });
}

describe.each(['helm', 'helm4'] as const)('%s lint --strict', (helm) => {
  it.each(cases)('%s', (scenario) => {
    expect(lint(helm, scenario)).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

it.each(cases)('Helm 3 and Helm 4 render the same objects (%s)', (scenario) => {
  // Helm 4 orders kinds it does not know (CRDs) differently; the objects must be the same.
  const sorted = (helm: Helm) =>
    render({ helm, values: valuesOf(scenario) }).sort((a, b) =>
      `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`),
    );
  expect(sorted('helm4')).toEqual(sorted('helm'));
});

describe('values.schema.json refuses mistakes at install time', () => {
  it.each([
    ['a misspelt top-level key', { replicas: 3 }, "additional properties 'replicas' not allowed"],
    [
      'a misspelt nested key',
      { webhook: { failurPolicy: 'Ignore' } },
      "additional properties 'failurPolicy'",
    ],
    [
      'a bad failurePolicy',
      { webhook: { failurePolicy: 'Never' } },
      "value must be one of 'Fail', 'Ignore'",
    ],
    ['a timeout over 30 s', { webhook: { timeoutSeconds: 60 } }, 'maximum'],
    [
      'a bad policy action',
      { policies: { 'disallow-privileged': { action: 'block' } } },
      "'deny', 'warn', 'audit', 'off'",
    ],
    [
      'a misspelt policy key',
      { policies: { 'disallow-privileged': { actoin: 'deny' } } },
      "additional properties 'actoin'",
    ],
    ['an http webhook url', { webhook: { url: 'http://x/validate' } }, 'does not match pattern'],
  ])('%s', (_what, values, message) => {
    const set = Object.fromEntries(Object.entries(values));
    expect(renderError({ set })).toContain(message);
  });

  it('cross-field checks fail with the fix', () => {
    const drainTooLong = 'config.drainDelaySeconds + config.drainTimeoutMs must be below';
    expect(renderError({ set: { 'config.drainTimeoutMs': 30000 } })).toContain(drainTooLong);
    expect(renderError({ set: { 'config.drainDelaySeconds': 15 } })).toContain(drainTooLong);
    expect(
      renderError({ set: { 'config.drainDelaySeconds': 0, terminationGracePeriodSeconds: 25 } }),
    ).toContain(drainTooLong);
    expect(renderError({ set: { 'webhook.timeoutSeconds': 2 } })).toContain(
      'config.evaluation.deadlineMs must be below webhook.timeoutSeconds',
    );
  });
});

describe('values.yaml', () => {
  const doc = parseDocument(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
  const schema: SchemaNode = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));

  /**
   * Keys with no comment of their own, of an earlier sibling (a comment for a group of keys) or
   * of an ancestor (a comment for a Kubernetes-shaped block such as resources).
   */
  function undocumented(map: YAMLMap, path: string, parentDocumented: boolean): string[] {
    const out: string[] = [];
    let groupDocumented = false;
    map.items.forEach((pair, i) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      // A comment above the first key of a nested map belongs to the map in the yaml AST.
      const own =
        Boolean((pair.key as { commentBefore?: string }).commentBefore) ||
        (i === 0 && Boolean(map.commentBefore));
      groupDocumented ||= own;
      const documented = own || groupDocumented || parentDocumented;
      if (!documented) out.push(`${path}${key}`);
      if (isMap(pair.value)) out.push(...undocumented(pair.value, `${path}${key}.`, documented));
    });
    return out;
  }

  it('documents every value where it is set', () => {
    expect(undocumented(doc.contents as YAMLMap, '', false)).toEqual([]);
  });

  interface SchemaNode {
    properties?: Record<string, SchemaNode>;
  }

  /** Dotted key paths of a values object, down to leaves or free-form maps. */
  function paths(
    values: Record<string, unknown>,
    node: SchemaNode | undefined,
    prefix = '',
  ): string[] {
    return Object.entries(values).flatMap(([k, v]) => {
      const sub = node?.properties?.[k];
      const p = `${prefix}${k}`;
      if (sub?.properties && v && typeof v === 'object' && !Array.isArray(v)) {
        return [p, ...paths(v as Record<string, unknown>, sub, `${p}.`)];
      }
      return [p];
    });
  }

  function schemaPaths(node: SchemaNode, prefix = ''): string[] {
    return Object.entries(node.properties ?? {}).flatMap(([k, sub]) => [
      `${prefix}${k}`,
      ...(sub.properties ? schemaPaths(sub, `${prefix}${k}.`) : []),
    ]);
  }

  it('sets every key the schema knows, and the schema knows every key it sets', () => {
    const values = doc.toJS() as Record<string, unknown>;
    // Objects empty by default (a label selector, an issuer reference) have no keys to set.
    const emptyByDefault = ['tls.certManager.issuerRef.', 'webhook.objectSelector.'];
    const fromSchema = schemaPaths(schema).filter(
      (p) => p !== 'global' && !emptyByDefault.some((prefix) => p.startsWith(prefix)),
    );
    expect(paths(values, schema).sort()).toEqual(fromSchema.sort());
  });
});

it('files/policies.json is up to date with policies/ (npm run generate)', () => {
  expect(() =>
    execFileSync('node', ['bin/palisade.js', 'generate', '--check', '--only', 'chart'], {
      cwd: ROOT,
      stdio: 'pipe',
    }),
  ).not.toThrow();
});
