// server.tls.auto: the keys the chart renders for tls.mode auto, their defaults, and the
// conflict with certificate files.
import { validateConfig } from '../../../src/config/load';
import { PalisadeError } from '../../../src/errors';

const auto = {
  namespace: 'palisade-system',
  secretName: 'palisade-tls',
  webhookConfigurationName: 'palisade',
  hosts: ['palisade.palisade-system.svc'],
};

function messageOf(raw: object): string {
  try {
    validateConfig('palisade.yaml', raw);
  } catch (err) {
    if (err instanceof PalisadeError && err.code === 'PAL_ERR_CONFIG_INVALID') return err.message;
    throw err;
  }
  throw new Error('did not throw');
}

describe('server.tls.auto', () => {
  it('defaults the lifetimes, the check interval and the CA trust delay', () => {
    const c = validateConfig('t', { server: { tls: { auto } } });
    expect(c.server.tls.auto).toEqual({
      ...auto,
      caValidityDays: 3650,
      certValidityDays: 365,
      checkIntervalSeconds: 60,
      caTrustDelaySeconds: 600,
    });
  });

  it('is unset by default (certificate files, or a throwaway one for local use)', () => {
    expect(validateConfig('t', {}).server.tls.auto).toBeUndefined();
  });

  it('refuses auto together with certificate files', () => {
    expect(
      messageOf({ server: { tls: { auto, certFile: 'tls.crt', keyFile: 'tls.key' } } }),
    ).toMatch('/server/tls: set either auto or certFile/keyFile, not both');
  });

  it.each([
    ['no hosts', { ...auto, hosts: [] }, '/server/tls/auto/hosts'],
    ['no secret name', { ...auto, secretName: '' }, '/server/tls/auto/secretName'],
    ['an unknown key', { ...auto, renewAt: 0.5 }, '/server/tls/auto/renewAt'],
    [
      'a zero interval',
      { ...auto, checkIntervalSeconds: 0 },
      '/server/tls/auto/checkIntervalSeconds',
    ],
  ])('refuses %s', (_what, bad, path) => {
    expect(messageOf({ server: { tls: { auto: bad } } })).toContain(path);
  });
});
