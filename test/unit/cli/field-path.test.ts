import { parseFieldPath } from '../../../src/cli/field-path';

describe('parseFieldPath', () => {
  it.each([
    [
      'spec.containers[0].securityContext.privileged',
      ['spec', 'containers', 0, 'securityContext', 'privileged'],
    ],
    ['metadata.annotations["example.com/x"]', ['metadata', 'annotations', 'example.com/x']],
    ['spec.template.spec.volumes[12]', ['spec', 'template', 'spec', 'volumes', 12]],
    ['', []],
  ])('%s', (path, segments) => {
    expect(parseFieldPath(path)).toEqual(segments);
  });
});
