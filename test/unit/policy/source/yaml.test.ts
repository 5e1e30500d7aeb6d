import { parseFieldPath } from '../../../../src/cli/field-path';
import { describeProblem, parseDocuments, parseYaml } from '../../../../src/policy/source/yaml';

const HELM = `---
# Source: web/templates/sa.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
---
# Source: web/templates/disabled.yaml
---
# Source: web/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx
          securityContext:
            privileged: true
`;

describe('parseDocuments', () => {
  it('reads every object of a multi-document stream with its line and helm template', () => {
    const { documents, problems } = parseDocuments('chart.yaml', HELM);
    expect(problems).toEqual([]);
    expect(documents.map((d) => [d.object.kind, d.line, d.template])).toEqual([
      ['ServiceAccount', 3, 'web/templates/sa.yaml'],
      ['Deployment', 11, 'web/templates/deploy.yaml'],
    ]);
  });

  it('locates a field path at the line of its deepest existing part', () => {
    const deploy = parseDocuments('chart.yaml', HELM).documents[1]!;
    const at = (p: string) => deploy.locate(parseFieldPath(p));
    expect(at('spec.template.spec.containers[0].securityContext.privileged')).toBe(22);
    expect(at('spec.template.spec.containers[0].image')).toBe(20);
    // resources does not exist: the container is the deepest part that does.
    expect(at('spec.template.spec.containers[0].resources.limits')).toBe(19);
    expect(at('')).toBe(11);
  });

  it('reads JSON and YAML 1.1 booleans as kubectl does', () => {
    const json = parseDocuments(
      'p.json',
      '{"apiVersion": "v1", "kind": "Pod",\n "spec": {"hostPID": yes}}',
    );
    expect(json.problems).toEqual([]);
    expect((json.documents[0]!.object.spec as { hostPID: unknown }).hostPID).toBe(true);
  });

  it('expands a List into its items', () => {
    const text =
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n- apiVersion: v1\n  kind: Service\n';
    const { documents } = parseDocuments('list.yaml', text);
    expect(documents.map((d) => [d.object.kind, d.line])).toEqual([
      ['Pod', 4],
      ['Service', 6],
    ]);
  });

  it.each([
    [
      'invalid YAML with file, line and column',
      'kind: Pod\nspec: [a, b\nx: 1\n',
      'f.yaml:3:1: invalid YAML: ',
    ],
    [
      'a document without apiVersion',
      'kind: Pod\n',
      'f.yaml:1: not a Kubernetes object: apiVersion missing',
    ],
    [
      'a mapping without kind or apiVersion',
      'a: 1\n',
      'f.yaml:1: not a Kubernetes object: apiVersion and kind missing',
    ],
    [
      'a list document',
      '- a\n- b\n',
      'f.yaml:1: not a Kubernetes object: a document must be a mapping',
    ],
    ['a scalar document', '---\nhello\n', 'f.yaml:2: not a Kubernetes object'],
    [
      'a duplicate key',
      'apiVersion: v1\nkind: Pod\nkind: Service\n',
      'f.yaml:3:1: invalid YAML: Map keys must be unique',
    ],
  ])('reports %s', (_name, text, expected) => {
    const { documents, problems } = parseDocuments('f.yaml', text);
    expect(documents).toEqual([]);
    expect(problems.map(describeProblem)[0]).toContain(expected);
  });

  it('reports every bad document, not only the first', () => {
    const text = 'apiVersion: v1\nkind: Pod\n---\nfoo: 1\n---\nbar: 2\n';
    const { documents, problems } = parseDocuments('f.yaml', text);
    expect(documents).toHaveLength(1);
    expect(problems.map((p) => p.line)).toEqual([4, 6]);
  });

  it('ignores empty documents', () => {
    expect(parseDocuments('f.yaml', '---\n---\n# only a comment\n').documents).toEqual([]);
  });
});

describe('parseYaml', () => {
  it('reads one document as YAML 1.1, as kubectl does', () => {
    expect(parseYaml('p.yaml', 'action: off\nenabled: yes\nmode: "on"\n')).toEqual({
      value: { action: false, enabled: true, mode: 'on' },
      problems: [],
    });
  });

  it('names the line of invalid YAML, and refuses more than one document', () => {
    expect(parseYaml('p.yaml', 'a: 1\na: 2\n').problems.map(describeProblem)).toEqual([
      'p.yaml:2:1: invalid YAML: Map keys must be unique',
    ]);
    expect(parseYaml('p.yaml', 'a: 1\n---\nb: 2\n').problems.map(describeProblem)).toEqual([
      'p.yaml: holds 2 YAML documents, one is expected',
    ]);
  });
});
