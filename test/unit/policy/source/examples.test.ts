import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPolicyFolders } from '../../../../src/policy/source/discover';
import {
  EXAMPLE_USER,
  exampleParameters,
  exampleRequest,
  policyExamples,
} from '../../../../src/policy/source/examples';

describe('policyExamples on the built-in policies', () => {
  const all = findPolicyFolders('policies').flatMap((id) => policyExamples('policies', id));

  it('reads every example without a problem, each with its object', () => {
    expect(all.filter((e) => e.problem).map((e) => e.problem)).toEqual([]);
    expect(all.every((e) => e.object !== undefined)).toBe(true);
    expect(all.length).toBeGreaterThan(0);
  });

  it('builds each request as palisade eval does, by the example user', () => {
    for (const ex of all) {
      const request = exampleRequest(ex, 'fixed');
      expect(request.uid).toBe('fixed');
      expect(request.operation).toBe(ex.operation);
      expect(request.userInfo).toEqual({
        username: EXAMPLE_USER,
        groups: ['system:authenticated'],
      });
    }
  });
});

describe('policyExamples with problems', () => {
  let root: string;
  const dir = (expect: string) => join(root, 'p', 'examples', expect);
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'palisade-examples-'));
    mkdirSync(dir('allowed'), { recursive: true });
    mkdirSync(dir('denied'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {flag: on}\n';

  it('reads manifests as YAML 1.1 and takes operation and parameters from the expectation', () => {
    writeFileSync(join(dir('denied'), 'c.yaml'), cm);
    writeFileSync(
      join(dir('denied'), 'c.expected.json'),
      JSON.stringify({
        operation: 'UPDATE',
        parameters: { max: 1 },
        violations: [{ msg: 'm', path: 'data' }],
      }),
    );
    writeFileSync(join(dir('allowed'), 'c.yaml'), cm);
    const [allowed, denied] = policyExamples(root, 'p');
    expect(allowed).toMatchObject({ expect: 'allowed', operation: 'CREATE', violations: [] });
    expect(allowed!.object).toMatchObject({ data: { flag: true } });
    expect(denied).toMatchObject({ operation: 'UPDATE', parameters: { max: 1 } });
    const schema = { properties: { max: { default: 5 } } };
    expect(exampleParameters(denied!, { parameters: schema })).toEqual({ max: 1 });
    expect(exampleParameters(allowed!, { parameters: schema })).toEqual({ max: 5 });
  });

  it.each([
    [
      'a denied example without expectation',
      'denied',
      cm,
      undefined,
      (f: string) =>
        `${f.replace('.yaml', '.expected.json')} is missing: a denied example lists its violations`,
    ],
    [
      'two objects in one file',
      'allowed',
      `${cm}---\n${cm}`,
      undefined,
      (f: string) => `${f}: an example holds exactly one object (found 2)`,
    ],
    [
      'an expectation that is not JSON',
      'denied',
      cm,
      '{',
      (f: string) =>
        expect.stringContaining(`${f.replace('.yaml', '.expected.json')}: invalid JSON: `),
    ],
    [
      'a denied example expecting nothing',
      'denied',
      cm,
      '{"violations": []}',
      (f: string) =>
        `${f.replace('.yaml', '.expected.json')}: a denied example expects at least one violation`,
    ],
  ])('names %s', (_name, expect_, yaml, expectation, problem) => {
    const file = join(dir(expect_), 'x.yaml');
    writeFileSync(file, yaml);
    if (expectation) writeFileSync(file.replace('.yaml', '.expected.json'), expectation);
    const [ex] = policyExamples(root, 'p');
    expect(ex!.problem).toEqual(problem(file));
  });

  it('names the file when its kind cannot be sent', () => {
    const file = join(dir('allowed'), 'x.yaml');
    writeFileSync(file, 'apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: d}\n');
    const [ex] = policyExamples(root, 'p');
    expect(() => exampleRequest(ex!)).toThrow(
      `${file}: apps/v1beta1 Deployment is not served by Kubernetes; use apps/v1`,
    );
  });
});
