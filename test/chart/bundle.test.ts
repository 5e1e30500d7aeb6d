// policies.bundle: policies from an OCI registry or an HTTPS URL instead of the bundle built into
// the image. The config Palisade gets (validated by its own schema), the Secrets mounted where
// that config names its files, the emptyDir cache, the webhook rules from policies.bundle.kinds,
// RBAC unchanged, and the mistakes refused with the fix. Rendered by helm and helm4 alike.
import { parse } from 'yaml';
import { validateConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import {
  find,
  POLICY_SUMMARY,
  render,
  renderError,
  type Helm,
  type K8sObject,
  type RenderOptions,
  withoutAuditRbac,
} from './render';

const SCENARIO = 'oci-bundle-values.yaml';
const OCI = 'oci://registry.example.com:5000/policies/palisade:stable';
const URL = 'https://policies.example.com/palisade/bundle.tar.gz';

const configOf = (objects: K8sObject[]): Config =>
  validateConfig('config.yaml', parse(find(objects, 'ConfigMap').data['config.yaml']));
const podSpec = (objects: K8sObject[]) => find(objects, 'Deployment').spec.template.spec;
// The webhook's RBAC; the audit's follows policies.bundle.kinds (test/chart/audit.test.ts).
const rbacOf = (objects: K8sObject[]) =>
  withoutAuditRbac(objects).filter((o) =>
    ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind),
  );

interface Volume {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  emptyDir?: { sizeLimit?: string };
}

/**
 * Where a file the config names comes from: the Secret and key mounted at that path, or
 * undefined when no volume provides it. A whole-Secret mount provides every key as a file.
 */
function mountedSecretKey(objects: K8sObject[], file: string): [string, string] | undefined {
  const spec = podSpec(objects);
  for (const m of spec.containers[0].volumeMounts as { name: string; mountPath: string }[]) {
    if (!file.startsWith(`${m.mountPath}/`)) continue;
    const rest = file.slice(m.mountPath.length + 1);
    const v = (spec.volumes as Volume[]).find((x) => x.name === m.name);
    if (!v?.secret) continue;
    if (!v.secret.items) return [v.secret.secretName, rest];
    const item = v.secret.items.find((i) => i.path === rest);
    if (item) return [v.secret.secretName, item.key];
  }
  return undefined;
}

describe.each(['helm', 'helm4'] as Helm[])('%s', (helm) => {
  const r = (o: RenderOptions = {}) => render({ helm, ...o });

  describe('the built-in bundle stays the default', () => {
    const objects = r();

    it('config.yaml names the image bundle directory and nothing else of bundles', () => {
      const cm = parse(find(objects, 'ConfigMap').data['config.yaml']);
      expect(cm.bundle).toBe('/app/dist/bundle');
      expect(cm.policies).toEqual({});
      expect(configOf(objects).bundle.source).toBe('/app/dist/bundle');
    });

    it('mounts no bundle volume', () => {
      const names = (podSpec(objects).volumes as Volume[]).map((v) => v.name);
      expect(names).toEqual(['config', 'tmp']);
    });
  });

  describe(`an OCI source (ci/${SCENARIO})`, () => {
    const objects = r({ values: [SCENARIO] });
    const config = configOf(objects);

    it('config.yaml: the reference, pollSeconds, the mounted files and both keys', () => {
      expect(config.bundle).toMatchObject({
        source: OCI,
        pollSeconds: 30,
        timeoutSeconds: 30,
        credentialsFile: '/etc/palisade/bundle/credentials/config.json',
        caFile: '/etc/palisade/bundle/ca/ca.crt',
        cacheDir: '/var/cache/palisade',
        verification: {
          required: true,
          publicKeys: [
            { keyId: 'ci-2025', file: '/etc/palisade/bundle/keys/ci-2025.pem', algorithm: 'RS256' },
            { keyId: 'ci-2026', file: '/etc/palisade/bundle/keys/ci-2026.pem', algorithm: 'ES256' },
          ],
        },
      });
    });

    it('every file the config names is a key of the Secret values name, mounted there', () => {
      expect(mountedSecretKey(objects, config.bundle.credentialsFile!)).toEqual([
        'policy-registry',
        '.dockerconfigjson',
      ]);
      expect(mountedSecretKey(objects, config.bundle.caFile!)).toEqual([
        'policy-registry-ca',
        'ca.crt',
      ]);
      expect(
        config.bundle.verification.publicKeys.map((k) => mountedSecretKey(objects, k.file)),
      ).toEqual([
        ['policy-signing-keys', 'ci-2025.pem'],
        ['policy-signing-keys', 'ci-2026.pem'],
      ]);
    });

    it('the keys Secret is mounted whole (not by subPath: the kubelet keeps it current), read-only', () => {
      const spec = podSpec(objects);
      const keys = (spec.volumes as Volume[]).find((v) => v.name === 'bundle-keys')!;
      expect(keys.secret).toEqual({ secretName: 'policy-signing-keys' });
      const mounts = spec.containers[0].volumeMounts as { name: string; readOnly?: boolean }[];
      for (const m of mounts.filter(
        (x) => x.name.startsWith('bundle-') && x.name !== 'bundle-cache',
      ))
        expect(m.readOnly).toBe(true);
    });

    it('the cache is an emptyDir of cacheSizeLimit at cacheDir (the root filesystem is read-only)', () => {
      const spec = podSpec(objects);
      expect((spec.volumes as Volume[]).find((v) => v.name === 'bundle-cache')).toEqual({
        name: 'bundle-cache',
        emptyDir: { sizeLimit: '32Mi' },
      });
      expect(spec.containers[0].volumeMounts).toContainEqual({
        name: 'bundle-cache',
        mountPath: config.bundle.cacheDir,
      });
      expect(spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    });

    it('policy settings reach Palisade without the bundle key', () => {
      expect(config.policies).toEqual({ 'disallow-privileged': { action: 'deny' } });
    });

    it('webhook rules: the resources of policies.bundle.kinds for its operations', () => {
      const rules = find(objects, 'ValidatingWebhookConfiguration').webhooks[0].rules;
      expect(rules).toEqual([
        {
          apiGroups: ['apps'],
          apiVersions: ['v1'],
          resources: ['deployments'],
          operations: ['CREATE', 'UPDATE'],
          scope: '*',
        },
        {
          apiGroups: [''],
          apiVersions: ['v1'],
          resources: ['pods', 'pods/ephemeralcontainers', 'services'],
          operations: ['CREATE', 'UPDATE'],
          scope: '*',
        },
      ]);
    });

    it('RBAC gains nothing and no service account token is added', () => {
      const plain = r();
      expect(rbacOf(objects)).toEqual(rbacOf(plain));
      expect(podSpec(objects).automountServiceAccountToken).toBe(
        podSpec(plain).automountServiceAccountToken,
      );
      // Without the audit (which talks to the apiserver), secret mode needs no token at all.
      const noAudit = { 'audit.enabled': false };
      const secretMode = { values: ['secret-values.yaml'], set: noAudit };
      const both = r({ values: ['secret-values.yaml', SCENARIO], set: noAudit });
      expect(rbacOf(both)).toEqual(rbacOf(r(secretMode)));
      expect(podSpec(both).automountServiceAccountToken).toBe(false);
    });
  });

  describe('an HTTPS source', () => {
    const set = {
      'policies.bundle.url': URL,
      'policies.bundle.credentials.secretName': 'policy-server-token',
      'policies.bundle.credentials.key': 'token',
      'policies.bundle.verification.secretName': 'keys',
      'policies.bundle.verification.keys': [{ keyId: 'k1', key: 'k1.pem', algorithm: 'ES256' }],
    };
    const objects = r({ set });
    const config = configOf(objects);

    it('a bearer token file, no CA (a public certificate), the default poll of 60 s', () => {
      expect(config.bundle.source).toBe(URL);
      expect(config.bundle.pollSeconds).toBe(60);
      expect(config.bundle.caFile).toBeUndefined();
      expect(mountedSecretKey(objects, config.bundle.credentialsFile!)).toEqual([
        'policy-server-token',
        'token',
      ]);
      expect((podSpec(objects).volumes as Volume[]).map((v) => v.name)).toEqual([
        'config',
        'tmp',
        'bundle-cache',
        'bundle-credentials',
        'bundle-keys',
      ]);
    });

    it('empty policies.bundle.kinds: every kind of the table, so a push may add policies', () => {
      const rules = find(objects, 'ValidatingWebhookConfiguration').webhooks[0].rules as {
        apiGroups: string[];
        resources: string[];
        operations: string[];
      }[];
      const got = rules.flatMap((x) => x.resources.map((res) => `${x.apiGroups[0]}/${res}`)).sort();
      const want = Object.values(POLICY_SUMMARY.kinds)
        .flatMap((k) => k.resources.map((res) => `${k.group}/${res}`))
        .sort();
      expect(got).toEqual([...new Set(want)]);
      for (const rule of rules) expect(rule.operations).toEqual(['CREATE', 'UPDATE']);
    });

    it('unsigned, only when verification.required is false', () => {
      const unsigned = configOf(
        r({ set: { 'policies.bundle.url': URL, 'policies.bundle.verification.required': false } }),
      );
      expect(unsigned.bundle.verification).toEqual({ required: false, publicKeys: [] });
    });
  });

  it('a new reference or key rolls the pods (read at start); a policy setting does not', () => {
    const sum = (set: Record<string, unknown> = {}) =>
      find(r({ values: [SCENARIO], set }), 'Deployment').spec.template.metadata.annotations[
        'checksum/bundle-source'
      ] as string;
    const base = sum();
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(sum({ 'policies.bundle.oci': `${OCI.replace(':stable', ':1.4.1')}` })).not.toBe(base);
    expect(
      sum({
        'policies.bundle.verification.keys': [{ keyId: 'k3', key: 'k3.pem', algorithm: 'ES256' }],
      }),
    ).not.toBe(base);
    expect(sum({ 'policies.disallow-privileged.action': 'warn' })).toBe(base);
    expect(
      find(r(), 'Deployment').spec.template.metadata.annotations['checksum/bundle-source'],
    ).toBeUndefined();
  });

  it('policy ids the chart does not know pass with a remote bundle (Palisade checks them)', () => {
    const objects = r({
      values: [SCENARIO],
      set: { 'policies.team-policy': { action: 'warn', match: { namespaceSelector: {} } } },
    });
    expect(configOf(objects).policies['team-policy']).toMatchObject({ action: 'warn' });
    // Its namespaceSelector needs the namespace watch: the same read-only grant as built-in ones.
    const role = find(withoutAuditRbac(objects), 'ClusterRole');
    expect(role.rules).toContainEqual({
      apiGroups: [''],
      resources: ['namespaces'],
      verbs: ['get', 'list', 'watch'],
    });
    expect(renderError({ helm, set: { 'policies.team-policy': { action: 'warn' } } })).toContain(
      'policies.team-policy: no such policy',
    );
  });

  it('networkPolicy.extraEgress is added to a restricted egress', () => {
    const egress = [
      { to: [{ ipBlock: { cidr: '10.20.0.5/32' } }], ports: [{ port: 5000, protocol: 'TCP' }] },
    ];
    const np = find(
      r({
        values: [SCENARIO],
        set: {
          'networkPolicy.enabled': true,
          'networkPolicy.apiServerCIDRs': ['10.96.0.1/32'],
          'networkPolicy.extraEgress': egress,
        },
      }),
      'NetworkPolicy',
    );
    expect(np.spec.egress.slice(2)).toEqual(egress);
  });
});

describe('mistakes are refused at install time, naming the fix', () => {
  it.each([
    [
      'both oci and url',
      { 'policies.bundle.oci': OCI, 'policies.bundle.url': URL },
      'policies.bundle: set oci or url, not both',
    ],
    [
      'a signed-only source with no keys',
      { 'policies.bundle.oci': OCI },
      'policies.bundle.verification.keys is empty',
    ],
    [
      'keys without their Secret',
      {
        'policies.bundle.oci': OCI,
        'policies.bundle.verification.keys': [{ keyId: 'k', key: 'k.pem', algorithm: 'ES256' }],
      },
      'policies.bundle.verification.secretName is required',
    ],
    [
      'a kind the chart cannot map',
      {
        'policies.bundle.oci': OCI,
        'policies.bundle.verification.required': false,
        'policies.bundle.kinds': ['Widget'],
      },
      'policies.bundle.kinds: the chart cannot map kind Widget',
    ],
    [
      'restricted egress with no way to the source',
      {
        'policies.bundle.oci': OCI,
        'policies.bundle.verification.required': false,
        'networkPolicy.enabled': true,
        'networkPolicy.apiServerCIDRs': ['10.96.0.1/32'],
      },
      'add it to networkPolicy.extraEgress',
    ],
    [
      'an OCI reference without oci://',
      { 'policies.bundle.oci': 'registry/x:1' },
      'does not match pattern',
    ],
    ['a plain http URL', { 'policies.bundle.url': 'http://x/b.tar.gz' }, 'does not match pattern'],
    [
      'an algorithm JWS does not have',
      {
        'policies.bundle.verification.keys': [{ keyId: 'k', key: 'k.pem', algorithm: 'none' }],
      },
      'value must be one of',
    ],
    ['a misspelt key', { 'policies.bundle.pollSecond': 5 }, "additional properties 'pollSecond'"],
  ])('%s', (_what, set, message) => {
    expect(renderError({ set })).toContain(message);
    expect(renderError({ set, helm: 'helm4' })).toContain(message);
  });
});
