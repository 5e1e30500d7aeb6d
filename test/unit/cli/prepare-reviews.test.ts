import { DEFAULT_USER, type RequestOptions } from '../../../src/policy/source/manifest-request';
import { describeProblem, parseDocuments } from '../../../src/policy/source/yaml';
import { prepareReviews } from '../../../src/cli/prepare-reviews';

const CREATE: RequestOptions = { operation: 'CREATE', username: DEFAULT_USER, groups: [] };

function prepare(text: string, opts: Partial<RequestOptions> = {}, old?: string) {
  const docs = parseDocuments('in.yaml', text);
  expect(docs.problems).toEqual([]);
  const oldDocs = old === undefined ? undefined : parseDocuments('old.yaml', old).documents;
  return prepareReviews(docs.documents, { ...CREATE, ...opts }, oldDocs);
}

const POD =
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: [{name: a, image: b}]\n';

describe('prepareReviews', () => {
  it('builds the CREATE request the apiserver would send for a namespaced object', () => {
    const { targets, problems } = prepare(POD);
    expect(problems).toEqual([]);
    const review = targets[0]!.review;
    expect(review.apiVersion).toBe('admission.k8s.io/v1');
    const { uid, ...req } = review.request;
    expect(uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(req).toEqual({
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: 'web',
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'palisade-cli', groups: ['system:authenticated'] },
      // The apiserver fills in the namespace before validating admission.
      object: {
        ...parseDocuments('x', POD).documents[0]!.object,
        metadata: { name: 'web', namespace: 'default' },
      },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    });
  });

  it('takes the namespace from the object, else --namespace, else default', () => {
    const withNs = POD.replace('  name: web\n', '  name: web\n  namespace: shop\n');
    expect(prepare(withNs).targets[0]!.review.request.namespace).toBe('shop');
    expect(prepare(POD, { namespace: 'dev' }).targets[0]!.review.request.namespace).toBe('dev');
    expect(prepare(withNs, { namespace: 'shop' }).targets[0]!.review.request.namespace).toBe(
      'shop',
    );
  });

  it('refuses an object whose namespace contradicts --namespace, as kubectl does', () => {
    const withNs = POD.replace('  name: web\n', '  name: web\n  namespace: shop\n');
    const { targets, problems } = prepare(withNs, { namespace: 'dev' });
    expect(targets).toEqual([]);
    expect(problems.map(describeProblem)).toEqual([
      'in.yaml:1: the namespace from the object "shop" does not match --namespace "dev"',
    ]);
  });

  it('gives cluster-scoped objects no namespace, and a group/version/plural from apiVersion', () => {
    const text =
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: x}\n---\n' +
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n';
    const [role, ingress] = prepare(text, { namespace: 'dev' }).targets.map(
      (t) => t.review.request,
    );
    expect(role!.namespace).toBeUndefined();
    expect(role!.object!.metadata!.namespace).toBeUndefined();
    expect(role!.resource).toEqual({
      group: 'rbac.authorization.k8s.io',
      version: 'v1',
      resource: 'clusterroles',
    });
    expect(ingress!.resource!.resource).toBe('ingresses');
    expect(ingress!.namespace).toBe('dev');
  });

  it('sends a Namespace its own name as request.namespace once it exists', () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n';
    expect(prepare(ns).targets[0]!.review.request.namespace).toBeUndefined();
    expect(prepare(ns, { operation: 'UPDATE' }).targets[0]!.review.request.namespace).toBe('prod');
  });

  it('adds the user and groups, always with system:authenticated', () => {
    const req = prepare(POD, { username: 'bob', groups: ['dev', 'ops'] }).targets[0]!.review
      .request;
    expect(req.userInfo).toEqual({
      username: 'bob',
      groups: ['dev', 'ops', 'system:authenticated'],
    });
  });

  it('sends DELETE with the object as oldObject and UPDATE without --old as a no-op update', () => {
    const del = prepare(POD, { operation: 'DELETE' }).targets[0]!.review.request;
    expect(del.object).toBeNull();
    expect(del.oldObject!.metadata!.name).toBe('web');
    expect(del.options).toEqual({ apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions' });
    const upd = prepare(POD, { operation: 'UPDATE' }).targets[0]!.review.request;
    expect(upd.oldObject).toEqual(upd.object);
  });

  it('pairs --old objects by kind, namespace and name: UPDATE for pairs, CREATE for new ones', () => {
    const before = POD.replace('image: b', 'image: old');
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\n';
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: new}\n';
    const r = prepare(`${POD}---\n${svc}`, { operation: 'UPDATE' }, `${before}---\n${cm}`);
    const [pod, service] = r.targets.map((t) => t.review.request);
    expect(pod!.operation).toBe('UPDATE');
    expect(JSON.stringify(pod!.oldObject)).toContain('"image":"old"');
    expect(service!.operation).toBe('CREATE');
    expect(service!.oldObject).toBeNull();
    expect(r.unmatchedOld).toEqual(['ConfigMap default/gone']);
  });

  it('takes a full AdmissionReview as it is', () => {
    const review = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      request: {
        uid: 'u-1',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        operation: 'DELETE',
        namespace: 'x',
        userInfo: { username: 'z' },
        oldObject: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
      },
    };
    const r = prepare(JSON.stringify(review));
    expect(r.targets[0]!.review).toEqual(review);
    expect(r.targets[0]!.objectPath).toEqual(['request', 'oldObject']);
  });

  it.each([
    [
      'a mistyped built-in kind',
      'apiVersion: apps/v1\nkind: Deploymnet\n',
      'unknown kind Deploymnet in apps/v1; did you mean Deployment?',
    ],
    [
      'a version Kubernetes does not serve',
      'apiVersion: apps/v1beta1\nkind: Deployment\n',
      'apps/v1beta1 Deployment is not served by Kubernetes; use apps/v1',
    ],
    [
      'the removed extensions group',
      'apiVersion: extensions/v1beta1\nkind: Ingress\n',
      'the extensions API group is no longer served',
    ],
    [
      'an unknown *.k8s.io group',
      'apiVersion: foo.k8s.io/v1\nkind: Bar\n',
      'unknown API group foo.k8s.io',
    ],
    [
      'an AdmissionReview without uid',
      'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest: {kind: {kind: Pod}, operation: CREATE}\n',
      'request.uid is missing',
    ],
  ])('reports %s', (_name, text, message) => {
    const r = prepare(text);
    expect(r.targets).toEqual([]);
    expect(r.problems[0]!.message).toContain(message);
  });

  it('takes plural and scope of a custom kind from its CRD in the same input, else guesses', () => {
    const crd =
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\n' +
      'spec: {group: example.com, scope: Cluster, names: {kind: Widget, plural: widgetz}}\n';
    const text = `${crd}---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: example.com/v1\nkind: Policy\nmetadata: {name: p}\n`;
    const [, widget, policy] = prepare(text).targets.map((t) => t.review.request);
    expect(widget!.resource!.resource).toBe('widgetz');
    expect(widget!.namespace).toBeUndefined();
    expect(policy!.resource!.resource).toBe('policies');
    expect(policy!.namespace).toBe('default');
  });
});
