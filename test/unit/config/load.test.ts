import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSource, loadConfig, validateConfig } from '../../../src/config/load';
import { PalisadeError } from '../../../src/errors';

function errorOf(fn: () => unknown): PalisadeError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PalisadeError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

describe('config', () => {
  it('defaults every key of an empty config', () => {
    const c = validateConfig('t', {});
    expect(c.server.port).toBe(8443);
    expect(c.failureMode).toBe('closed');
    expect(c.evaluation.deadlineMs).toBe(2000);
    expect(c.exemptions.namespaces).toEqual([]);
    expect(c.kubernetes).toEqual({ namespaceLabels: 'auto' });
  });

  it('returns a frozen object', () => {
    const c = validateConfig('t', { policies: { p: { action: 'warn' } } });
    expect(Object.isFrozen(c.policies.p)).toBe(true);
  });

  it('reports every bad key at once', () => {
    const err = errorOf(() =>
      validateConfig('palisade.yaml', {
        failureMode: 'sometimes',
        evaluation: { deadlineMs: -1 },
        policis: {},
        policies: { p: { action: 'block', match: { kinds: 'Pod' } } },
        kubernetes: { namespaceLabels: 'always', kubeconfg: '/x' },
      }),
    );
    expect(err.code).toBe('PAL_ERR_CONFIG_INVALID');
    for (const path of [
      '/failureMode',
      '/evaluation/deadlineMs',
      '/policis',
      '/policies/p/action',
      '/policies/p/match/kinds',
      '/kubernetes/namespaceLabels',
      '/kubernetes/kubeconfg',
    ]) {
      expect(err.message).toContain(path);
    }
  });

  it('reads YAML from a file and applies command-line overrides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-config-'));
    const file = join(dir, 'palisade.yaml');
    writeFileSync(
      file,
      'failureMode: open\nserver:\n  port: 9000\npolicies:\n  p:\n    action: audit\n',
    );
    const c = await loadConfig(configSource({ config: file, port: 9443 }, {}));
    expect(c.failureMode).toBe('open');
    expect(c.server.port).toBe(9443);
    expect(c.policies.p?.action).toBe('audit');
  });

  it('reports YAML syntax errors and unreadable files with codes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'policies: [\n');
    await expect(loadConfig({ file })).rejects.toMatchObject({ code: 'PAL_ERR_CONFIG_INVALID' });
    await expect(loadConfig({ file: join(dir, 'missing.yaml') })).rejects.toMatchObject({
      code: 'PAL_ERR_CONFIG_READ',
    });
  });

  it('takes the config path and port from the environment when no flag is given', () => {
    expect(
      configSource({}, { PALISADE_CONFIG: '/etc/palisade/config.yaml', PALISADE_PORT: '9443' }),
    ).toMatchObject({
      file: '/etc/palisade/config.yaml',
      overrides: { port: 9443 },
    });
  });
});
