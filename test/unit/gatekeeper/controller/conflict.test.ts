import { gatekeeperConflict } from '../../../../src/gatekeeper/controller/conflict';

const vwc = (name: string, labels: Record<string, string> = {}, webhooks: string[] = []) => ({
  name,
  labels,
  webhooks,
});

describe('gatekeeperConflict', () => {
  it.each([
    ['no webhook configurations', [], undefined],
    ['only Palisade', [vwc('palisade', {}, ['validate.palisade.dev'])], undefined],
    [
      'a configuration labelled gatekeeper.sh/system=no',
      [vwc('x', { 'gatekeeper.sh/system': 'no' })],
      undefined,
    ],
  ])('none with %s', (_what, list, expected) => expect(gatekeeperConflict(list)).toBe(expected));

  it.each([
    [
      'labelled gatekeeper.sh/system=yes',
      vwc('gatekeeper-validating-webhook-configuration', { 'gatekeeper.sh/system': 'yes' }),
    ],
    ['holding validation.gatekeeper.sh', vwc('renamed', {}, ['validation.gatekeeper.sh'])],
    [
      'holding check-ignore-label.gatekeeper.sh',
      vwc('renamed', {}, ['check-ignore-label.gatekeeper.sh']),
    ],
  ])('Gatekeeper found by a configuration %s, named', (_what, c) => {
    expect(gatekeeperConflict([vwc('palisade'), c])).toBe(
      `Gatekeeper is installed in this cluster (validatingwebhookconfiguration ${c.name}): ` +
        'uninstall it (or turn gatekeeper.enabled off) before Palisade serves its API (docs/gatekeeper.md "Moving from Gatekeeper")',
    );
  });
});
