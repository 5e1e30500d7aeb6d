// templates/configmap.yaml: the webhook's config file, rendered from values, is one Palisade
// itself accepts (validated with the webhook's own schema).
import { parse } from 'yaml';
import { validateConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { find, render, renderError, SCENARIOS, type RenderOptions } from './render';

function configOf(o: RenderOptions = {}): Config {
  const cm = find(render(o), 'ConfigMap');
  return validateConfig('config.yaml', parse(cm.data['config.yaml']));
}

it.each(['default', ...SCENARIOS])('is a valid Palisade config (%s)', (scenario) => {
  const config = configOf({ values: scenario === 'default' ? [] : [scenario] });
  expect(config.server.host).toBe('0.0.0.0');
  expect(config.server.port).toBe(8443);
  // ci/oci-bundle-values.yaml pulls its policies from a registry (test/chart/bundle.test.ts).
  expect(config.bundle.source).toBe(
    scenario.startsWith('oci-bundle')
      ? 'oci://registry.example.com:5000/policies/palisade:stable'
      : '/app/dist/bundle',
  );
});

it('tls.mode auto: the Secret, the webhook configuration and the Service names', () => {
  expect(configOf().server.tls).toEqual({
    auto: {
      namespace: 'palisade-system',
      secretName: 'palisade-tls',
      webhookConfigurationName: 'palisade',
      hosts: [
        'palisade',
        'palisade.palisade-system',
        'palisade.palisade-system.svc',
        'palisade.palisade-system.svc.cluster.local',
      ],
      caValidityDays: 3650,
      certValidityDays: 365,
      checkIntervalSeconds: 60,
      caTrustDelaySeconds: 600,
    },
  });
});

it('clusterDomain changes the certificate names', () => {
  expect(configOf({ set: { clusterDomain: 'corp.local' } }).server.tls.auto?.hosts).toContain(
    'palisade.palisade-system.svc.corp.local',
  );
});

it.each(['secret-values.yaml', 'cert-manager-values.yaml'])(
  '%s: the mounted certificate files',
  (s) => {
    expect(configOf({ values: [s] }).server.tls).toEqual({
      certFile: '/etc/palisade/tls/tls.crt',
      keyFile: '/etc/palisade/tls/tls.key',
    });
  },
);

it('exempts the release namespace and webhook.excludedNamespaces too', () => {
  const config = configOf({
    namespace: 'policy',
    set: { 'config.exemptions.namespaces': ['sandbox-*'] },
  });
  expect(config.exemptions.namespaces).toEqual([
    'policy',
    'kube-system',
    'kube-node-lease',
    'sandbox-*',
  ]);
});

it('passes policies (action, parameters, match) through unchanged', () => {
  const config = configOf({ values: ['production-values.yaml'] });
  expect(config.policies).toEqual({
    'require-resource-limits': {
      action: 'deny',
      parameters: { resources: ['memory'] },
      match: { excludedNamespaces: ['sandbox-*'] },
    },
    'disallow-latest-tag': { action: 'audit' },
    'require-probes': {
      action: 'deny',
      match: { namespaceSelector: { matchLabels: { tier: 'production' } } },
    },
  });
  expect(config.failureMode).toBe('open');
  expect(config.exemptions.groups).toEqual(['system:serviceaccounts:ci']);
});

it('config.* values: failure mode, log level, evaluation, drain', () => {
  const config = configOf({
    set: {
      'config.logLevel': 'debug',
      'config.evaluation': { deadlineMs: 1500, maxMemoryMiB: 128, workers: 1 },
      'config.drainTimeoutMs': 10000,
      'config.drainDelaySeconds': 5,
    },
  });
  expect(config.logLevel).toBe('debug');
  // Keys the chart does not set (evaluation.maxInflightMiB) keep Palisade's defaults.
  expect(config.evaluation).toMatchObject({ deadlineMs: 1500, maxMemoryMiB: 128, workers: 1 });
  expect(config.server.drainTimeoutMs).toBe(10000);
  expect(config.server.drainDelaySeconds).toBe(5);
});

it.each(['auto', 'watch', 'off'] as const)(
  'config.namespaceLabels %s reaches the config',
  (mode) => {
    expect(configOf({ set: { 'config.namespaceLabels': mode } }).kubernetes).toEqual({
      namespaceLabels: mode,
    });
  },
);

it('an unknown policy id fails the install, listing the known ones', () => {
  expect(renderError({ set: { 'policies.disallow-privilegd.action': 'deny' } })).toMatch(
    /policies\.disallow-privilegd: no such policy \(known: .*disallow-privileged/,
  );
});
