import Ajv from 'ajv';
import { loadPolicySources } from '../../../../src/policy/source/discover';
import { defaultParameters } from '../../../../src/policy/source/parameters';

describe('defaultParameters', () => {
  it("takes each top-level property's default, and only those", () => {
    const parameters = {
      type: 'object',
      properties: {
        labels: { type: 'array', default: ['app'] },
        version: { type: 'string', default: 'latest' },
        optional: { type: 'string' },
        nested: { type: 'object', properties: { deep: { type: 'string', default: 'x' } } },
      },
    };
    expect(defaultParameters({ parameters })).toEqual({ labels: ['app'], version: 'latest' });
  });

  it('gives a copy, so a caller changing it leaves the schema alone', () => {
    const parameters = { type: 'object', properties: { labels: { default: ['app'] } } };
    (defaultParameters({ parameters }).labels as string[]).push('team');
    expect(parameters.properties.labels.default).toEqual(['app']);
  });

  it('gives {} for a policy without parameters', () => {
    expect(defaultParameters({})).toEqual({});
  });

  // scripts/policy-manifest.js filled defaults with ajv's useDefaults; the one algorithm must
  // give every built-in policy the same parameters.
  it.each(loadPolicySources('policies').policies.map((p) => [p.id, p.meta] as const))(
    '%s: the same defaults as ajv useDefaults',
    (_id, meta) => {
      const filled = {};
      new Ajv({ useDefaults: true, strict: false }).compile(meta.parameters!)(filled);
      expect(defaultParameters(meta)).toEqual(filled);
    },
  );
});
