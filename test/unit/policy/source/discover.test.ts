import { findPolicyFolders, loadPolicySources } from '../../../../src/policy/source/discover';

const POLICIES = 'policies';

describe('loadPolicySources on the built-in policies', () => {
  const { policies, errors } = loadPolicySources(POLICIES);

  it('finds every policy folder, with no problem', () => {
    expect(errors).toEqual([]);
    expect(policies.map((p) => p.id)).toEqual(findPolicyFolders(POLICIES));
  });
});
