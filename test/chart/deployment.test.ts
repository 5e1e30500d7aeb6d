// templates/deployment.yaml (+ service, serviceaccount): availability, probes, and the
// Pod Security "restricted" profile with a read-only root filesystem.
import { find, render, type K8sObject } from './render';

const deploymentOf = (objects: K8sObject[]) => find(objects, 'Deployment');
const containerOf = (objects: K8sObject[]) =>
  deploymentOf(objects).spec.template.spec.containers[0];

describe('defaults', () => {
  const objects = render();
  const deployment = deploymentOf(objects);
  const pod = deployment.spec.template.spec;
  const container = containerOf(objects);

  it('runs two replicas and never drops below them during a rollout', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });

  it('spreads replicas over nodes and zones, selecting its own pods', () => {
    const selector = deployment.spec.selector.matchLabels;
    expect(
      pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey),
    ).toEqual(['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    for (const c of pod.topologySpreadConstraints)
      expect(c.labelSelector.matchLabels).toEqual(selector);
  });

  it('probes /healthz (liveness) and /readyz (readiness) over HTTPS', () => {
    expect(container.livenessProbe.httpGet).toEqual({
      path: '/healthz',
      port: 'https',
      scheme: 'HTTPS',
    });
    expect(container.readinessProbe.httpGet).toEqual({
      path: '/readyz',
      port: 'https',
      scheme: 'HTTPS',
    });
  });

  it('sets requests and limits', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '256Mi' },
    });
  });

  it('meets the restricted profile: non-root, no escalation, no capabilities, seccomp, read-only root', () => {
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('gives the read-only root a writable /tmp', () => {
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
  });

  it('starts the webhook on the config from its ConfigMap', () => {
    expect(container.image).toBe('palisade:0.1.0');
    expect(container.args).toEqual([
      '/app/dist/src/main.js',
      '--config',
      '/etc/palisade/config/config.yaml',
    ]);
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'palisade' } });
  });

  it('mounts a service account token only because tls.mode auto talks to the apiserver', () => {
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  it('gives the drain (delay 10 s + in-flight 25 s) a longer grace period', () => {
    expect(pod.terminationGracePeriodSeconds).toBe(40);
  });

  it('has a Service on 443 selecting exactly the Deployment pods', () => {
    const service = find(objects, 'Service');
    expect(service.spec.ports).toEqual([
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
  });

  it('labels every object with app.kubernetes.io labels', () => {
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/instance': 'palisade',
        'app.kubernetes.io/part-of': 'palisade',
        'app.kubernetes.io/managed-by': 'Helm',
      });
    }
  });
});

describe('values', () => {
  it('replicaCount', () => {
    expect(deploymentOf(render({ set: { replicaCount: 3 } })).spec.replicas).toBe(3);
  });

  it('autoscaling.enabled leaves replicas to the HPA', () => {
    expect(
      deploymentOf(render({ set: { 'autoscaling.enabled': true } })).spec.replicas,
    ).toBeUndefined();
  });

  it('priorityClassName', () => {
    expect(deploymentOf(render()).spec.template.spec.priorityClassName).toBeUndefined();
    expect(
      deploymentOf(render({ set: { priorityClassName: 'palisade-critical' } })).spec.template.spec
        .priorityClassName,
    ).toBe('palisade-critical');
  });

  it('image.digest pins the image; image.tag overrides appVersion', () => {
    expect(containerOf(render({ values: ['production-values.yaml'] })).image).toBe(
      'registry.example.com/platform/palisade@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    );
    expect(containerOf(render({ set: { 'image.tag': '0.2.0' } })).image).toBe('palisade:0.2.0');
  });

  it('topologySpreadConstraints keep a labelSelector given by the user', () => {
    const own = {
      maxSkew: 2,
      topologyKey: 'rack',
      whenUnsatisfiable: 'DoNotSchedule',
      labelSelector: { matchLabels: { a: 'b' } },
    };
    const pod = deploymentOf(render({ set: { topologySpreadConstraints: [own] } })).spec.template
      .spec;
    expect(pod.topologySpreadConstraints).toEqual([own]);
  });

  it.each(['secret-values.yaml', 'cert-manager-values.yaml'])(
    'tls.mode from %s mounts the certificate Secret and, without the audit, no service account token',
    (scenario) => {
      const objects = render({ values: [scenario], set: { 'audit.enabled': false } });
      const pod = deploymentOf(objects).spec.template.spec;
      const secretName = scenario.startsWith('secret') ? 'my-webhook-tls' : 'palisade-tls';
      expect(pod.automountServiceAccountToken).toBe(false);
      // The background audit (on by default) talks to the apiserver: the token is mounted.
      const audited = deploymentOf(render({ values: [scenario] })).spec.template.spec;
      expect(audited.automountServiceAccountToken).toBe(true);
      expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName } });
      expect(pod.containers[0].volumeMounts).toContainEqual({
        name: 'tls',
        mountPath: '/etc/palisade/tls',
        readOnly: true,
      });
    },
  );

  it('restarts pods (checksum/server-config) when server settings change, not when policies do', () => {
    const checksum = (o: K8sObject[]) =>
      deploymentOf(o).spec.template.metadata.annotations['checksum/server-config'];
    const base = checksum(render());
    expect(checksum(render({ set: { 'policies.disallow-privileged.action': 'warn' } }))).toBe(base);
    expect(checksum(render({ set: { 'tls.auto.checkIntervalSeconds': 30 } }))).not.toBe(base);
  });
});
