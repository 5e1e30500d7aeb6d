// The playground's state in the URL fragment: it comes back whole; anything else is no state.
import {
  decodeState,
  encodeState,
  type PlaygroundState,
} from '../../../src/cli/playground/page/state-fragment';

const STATE: PlaygroundState = {
  manifest: 'apiVersion: v1\nkind: Pod\nmetadata: {name: "wéb ✓"}\n'.repeat(20),
  operation: 'UPDATE',
  namespace: 'shop',
  user: 'jane@example.com',
  policy: 'disallow-latest-tag',
  action: 'deny',
  parameters: 'disallowedTags: [latest, main]\n',
  rego: 'package policies.disallow_latest_tag\n# edited +/=\n',
};

describe('the URL fragment', () => {
  it('restores the state it was made from, in fewer characters (deflated)', async () => {
    const hash = await encodeState(STATE);
    expect(hash).toMatch(/^#s=[A-Za-z0-9_-]+$/);
    expect(hash.length).toBeLessThan(JSON.stringify(STATE).length);
    await expect(decodeState(hash)).resolves.toEqual(STATE);
  });

  it.each([[''], ['#other'], ['#s=not-deflate'], ['#s=%%%']])(
    'is no state for %j',
    async (hash) => {
      await expect(decodeState(hash)).resolves.toBeUndefined();
    },
  );
});
