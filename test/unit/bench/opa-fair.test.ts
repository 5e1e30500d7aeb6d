// The fair OPA anchor's input builder (bench/opa-fair.ts): one input.parameters for every
// applicable policy, refused when a policy would read a value that is not its own. The fair
// query itself runs on real opa in test/integration/opa-fair.test.ts.
import {
  fairInput,
  fairViolations,
  mergeParameters,
  ParameterConflictError,
  renderFairEntry,
} from '../../../bench/opa-fair';
import type { AdmissionRequest } from '../../../src/policy/request';

const declares = new Map<string, string[]>([
  ['limits', ['resources']],
  ['requests', ['resources']],
  ['latest-tag', ['disallowedTags']],
  ['pss-a', ['version']],
  ['pss-b', ['version']],
  ['plain', []],
]);

/** The ParameterConflictError, by its fields. */
const conflictOn = (key: string, values: Record<string, unknown>) =>
  expect.objectContaining({ name: 'ParameterConflictError', key, values });

it('merges the parameters of the applicable policies into one object', () => {
  expect(
    mergeParameters(
      {
        limits: { resources: ['cpu', 'memory'] },
        requests: { resources: ['cpu', 'memory'] },
        'latest-tag': { disallowedTags: ['latest'] },
        'pss-a': { version: 'latest' },
        'pss-b': { version: 'latest' },
        plain: {},
      },
      declares,
    ),
  ).toEqual({ disallowedTags: ['latest'], resources: ['cpu', 'memory'], version: 'latest' });
});

it('refuses two policies giving one key different values, naming the key and both', () => {
  const run = () =>
    mergeParameters(
      { limits: { resources: ['cpu'] }, requests: { resources: ['cpu', 'memory'] }, plain: {} },
      declares,
    );
  expect(run).toThrow(ParameterConflictError);
  expect(run).toThrow(conflictOn('resources', { limits: ['cpu'], requests: ['cpu', 'memory'] }));
  expect(run).toThrow('parameter "resources" differs');
  expect(run).toThrow('(limits: ["cpu"]; requests: ["cpu","memory"])');
});

it('refuses a key that a policy declares but was not given', () => {
  const run = () => mergeParameters({ 'pss-a': { version: 'v1.30' }, 'pss-b': {} }, declares);
  expect(run).toThrow(conflictOn('version', { 'pss-a': 'v1.30', 'pss-b': undefined }));
  expect(run).toThrow('pss-b: (not given)');
});

it('compares values deeply, not by identity or key order', () => {
  expect(
    mergeParameters(
      { limits: { resources: [{ a: 1, b: 2 }] }, requests: { resources: [{ b: 2, a: 1 }] } },
      declares,
    ),
  ).toEqual({ resources: [{ a: 1, b: 2 }] });
});

it('builds the input from the evaluation input: the whole request, the ids, the parameters', () => {
  const review = { uid: 'u', kind: { kind: 'Pod' } } as unknown as AdmissionRequest;
  const evalInput = JSON.stringify({
    review: { pruned: true },
    policies: { 'pss-a': { parameters: { version: 'latest' } }, plain: { parameters: {} } },
  });
  const policies = [...declares].map(([id, d]) => ({ id, package: `p.${id}`, declares: d }));
  expect(fairInput(review, evalInput, policies)).toEqual({
    review,
    parameters: { version: 'latest' },
    policies: ['pss-a', 'plain'],
  });
  const bad = JSON.stringify({
    policies: { 'pss-a': { parameters: { version: 'v1.29' } }, 'pss-b': { parameters: {} } },
  });
  expect(() => fairInput(review, bad, policies)).toThrow(
    conflictOn('version', { 'pss-a': 'v1.29', 'pss-b': undefined }),
  );
});

it('generates one guarded body per policy and no `with`', () => {
  const text = renderFairEntry([
    { id: 'a-b', package: 'policies.a_b', declares: [] },
    { id: 'c', package: 'policies.c', declares: [] },
  ]);
  expect(text).toContain('package palisade_fair');
  expect(text).toContain('"a-b" in input.policies\n\tsome v in data.policies.a_b.violation');
  expect(text).toContain('"c" in input.policies\n\tsome v in data.policies.c.violation');
  const code = text.split('\n').filter((l) => !l.startsWith('#'));
  expect(code.filter((l) => /\bwith\b/.test(l))).toEqual([]);
});

it('normalizes the fair result as the aggregator does', () => {
  expect(
    fairViolations([
      { policy: 'a', violation: { msg: 'm', path: 'p', details: { k: 1 } } },
      { policy: 'b', violation: 'bare' },
    ]),
  ).toEqual([
    { policy: 'a', msg: 'm', path: 'p', fix: '', details: { k: 1 } },
    { policy: 'b', msg: 'bare', path: '', fix: '', details: {} },
  ]);
});
