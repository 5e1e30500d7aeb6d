// serializeInput with a value already serialized (the pod-spec cache's key holds the template's
// spec as JSON): the bytes are exactly those of a plain serialization, whatever the request
// holds, including the placeholder's own text.
import { serializeInput, type KnownJson } from '../../../src/policy/engine';
import type { EffectivePolicy } from '../../../src/policy/policy-set';
import type { AdmissionRequest } from '../../../src/policy/request';

const policy = (reads: string[] | '*'): EffectivePolicy => ({
  id: 'p',
  meta: { id: 'p', title: 'p', action: 'deny', match: {}, reads },
  action: 'deny',
  parameters: { a: 1 },
  match: {},
});

function request(labels: Record<string, string> = {}): AdmissionRequest {
  return {
    uid: 'u',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    operation: 'CREATE',
    userInfo: { username: 'x' },
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'a', labels },
      spec: { replicas: 1, template: { metadata: {}, spec: { containers: [{ name: 'c' }] } } },
    },
  } as unknown as AdmissionRequest;
}

function known(req: AdmissionRequest): KnownJson {
  const value = (req.object as { spec: { template: { spec: object } } }).spec.template.spec;
  return { path: ['spec', 'template', 'spec'], value, json: JSON.stringify(value) };
}

const text = (b: ArrayBuffer) => new TextDecoder().decode(b);

it.each([
  ['every field read', policy('*'), request()],
  ['spec read', policy(['spec']), request()],
  ['spec left out', policy(['metadata']), request()],
  [
    'a label holding the placeholder',
    policy('*'),
    request({ x: '\u0000palisade:known-json\u0000' }),
  ],
])('%s: the same bytes as without', (_name, p, req) => {
  expect(text(serializeInput(req, [p], known(req)))).toBe(text(serializeInput(req, [p])));
});

it('ignores a known value that is not the object at the path', () => {
  const req = request();
  const stale = { ...known(req), value: { containers: [] }, json: '{"containers":[]}' };
  expect(text(serializeInput(req, [policy('*')], stale))).toBe(
    text(serializeInput(req, [policy('*')])),
  );
});
