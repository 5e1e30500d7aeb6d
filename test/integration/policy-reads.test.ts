// What src/policy/build/reads.ts derives a policy can read of input.review.object (palisade.json
// `reads`): a field it names, through refs, object.get paths and library rules; nothing for a
// type check; everything ('*') whenever the Rego can see the object as a whole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Opa } from '../../src/policy/build/opa';
import { policyReads } from '../../src/policy/build/reads';

const ROOT = join(__dirname, '..', '..');
const OPA = join(ROOT, '.tools', 'bin', 'opa');

const LIB = `package lib.demo

secret_keys contains k if some k, _ in input.review.object.data

unused contains x if some x in input.review.object
`;

let work: string;
let n = 0;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'palisade-reads-'));
  writeFileSync(join(work, 'lib.rego'), LIB);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function reads(body: string): Promise<unknown> {
  const pkg = `policies.p${++n}`;
  const file = join(work, `p${n}.rego`);
  writeFileSync(file, `package ${pkg}\n\nimport data.lib.demo\n\n${body}\n`);
  return policyReads(new Opa(OPA), [join(work, 'lib.rego'), file], pkg);
}

it.each([
  ['a field by reference', 'violation contains "x" if input.review.object.spec.x == 1', ['spec']],
  [
    'oldObject like object',
    'violation contains "x" if input.review.oldObject.status.phase == "Failed"',
    ['status'],
  ],
  [
    'object.get with a constant path',
    'violation contains "x" if object.get(input.review.object, ["metadata", "labels"], {}) == {}',
    ['metadata'],
  ],
  [
    'object.get from input itself',
    'violation contains "x" if object.get(input, ["review", "object", "data"], null) == null',
    ['data'],
  ],
  [
    'a variable below a field',
    'violation contains k if some k, _ in input.review.object.data',
    ['data'],
  ],
  [
    'a type check of the object reads none of it',
    'violation contains "x" if {\n\tis_object(input.review.object)\n\tinput.review.object.metadata.name == "a"\n}',
    ['metadata'],
  ],
  [
    'the request but not the object',
    'violation contains "x" if {\n\tinput.review.kind.kind == "Secret"\n\tinput.parameters.on\n}',
    [],
  ],
  ['a library rule', 'violation contains k if some k in demo.secret_keys', ['data']],
  [
    'an alias of the object',
    '_obj := input.review.object\n\nviolation contains "x" if _obj.spec.x == 1',
    '*',
  ],
  ['iteration over the object', 'violation contains k if some k, _ in input.review.object', '*'],
  ['a variable field', 'violation contains k if input.review.object[k] == 1', '*'],
  [
    'object.get with a computed key',
    'violation contains "x" if {\n\tk := input.parameters.field\n\tobject.get(input.review.object, k, null) == 1\n}',
    '*',
  ],
  ['the object as a value', 'violation contains "x" if count(input.review.object) > 3', '*'],
  ['the whole request', 'violation contains json.marshal(input.review) if true', '*'],
  ['a walk over input', 'violation contains "x" if walk(input, [_, "secret"])', '*'],
])('%s', async (_, body, want) => {
  expect(await reads(body)).toEqual(want);
});
