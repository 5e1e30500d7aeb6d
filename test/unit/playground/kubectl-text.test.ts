// The lines the playground prints for one object: kubectl's text for the webhook's answer.
import type { ObjectResult } from '../../../src/cli/results';
import { kubectlCommand, kubectlLines } from '../../../src/cli/playground/page/kubectl-text';

const base: ObjectResult = {
  source: 'STDIN',
  line: 1,
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace: 'shop',
  name: 'web',
  operation: 'CREATE',
  outcome: 'allow',
  allowed: true,
  warnings: [],
  auditAnnotations: {},
  violations: [],
};

describe('kubectlLines', () => {
  it.each([
    ['an allowed create', base, ['deployment.apps/web created']],
    [
      'a core kind, with warnings first',
      { ...base, apiVersion: 'v1', kind: 'Pod', warnings: ['[a] x', '[b] y'] },
      ['Warning: [a] x', 'Warning: [b] y', 'pod/web created'],
    ],
    [
      'a denied create',
      { ...base, allowed: false, outcome: 'deny', message: '1 violation of 1 policy:\n- [p] m' },
      [
        'Error from server (Forbidden): error when creating "STDIN": admission webhook "w.example.com" denied the request: 1 violation of 1 policy:\n- [p] m',
      ],
    ],
    [
      'a denied update (kubectl replace)',
      { ...base, operation: 'UPDATE', allowed: false, outcome: 'deny', message: 'no' },
      [
        'Error from server (Forbidden): error when replacing "STDIN": admission webhook "w.example.com" denied the request: no',
      ],
    ],
    [
      'a decision that failed closed',
      { ...base, operation: 'DELETE', allowed: false, outcome: 'error', message: 'boom' },
      [
        'Error from server (InternalError): error when deleting "STDIN": admission webhook "w.example.com" denied the request: boom',
      ],
    ],
    [
      'a denial without a message',
      { ...base, allowed: false, outcome: 'deny' },
      [
        'Error from server (Forbidden): error when creating "STDIN": admission webhook "w.example.com" denied the request without explanation',
      ],
    ],
    ['an allowed delete', { ...base, operation: 'DELETE' }, ['deployment.apps/web deleted']],
  ] as [string, ObjectResult, string[]][])('%s', (_name, result, expected) => {
    expect(kubectlLines(result, 'w.example.com')).toEqual(expected);
  });

  it('names the command whose output it is', () => {
    expect(['CREATE', 'UPDATE', 'DELETE'].map(kubectlCommand)).toEqual([
      'kubectl create -f -',
      'kubectl replace -f -',
      'kubectl delete -f -',
    ]);
  });
});
