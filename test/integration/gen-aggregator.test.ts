// The aggregator computes library rules once and hands them to every policy only when that
// cannot change an answer: rules that read input.parameters (directly or through another rule),
// that may be undefined, that are private or that are functions are left to each policy.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAggregator } from '../../src/policy/build/aggregator';
import { Opa } from '../../src/policy/build/opa';

const ROOT = join(__dirname, '..', '..');
const OPA = join(ROOT, '.tools', 'bin', 'opa');

const LIB = `package lib.demo

items contains x if some x in input.review.object.items

default enabled := false

enabled if input.review.object.enabled == true

limit := n if n := input.parameters.limit

default limit := 1

over_limit contains x if {
	some x in items
	x > limit
}

maybe := input.review.object.maybe

_private contains x if some x in items

double(x) := x * 2
`;

const policy = (pkg: string) => `package policies.${pkg}

import data.lib.demo

violation contains sprintf("%v is over the limit", [x]) if some x in demo.over_limit

violation contains "enabled" if demo.enabled
`;

// Reads one shared rule (enabled) and none of the others.
const FLAG = `package policies.flag

import data.lib.demo

violation contains "flag" if demo.enabled
`;

let work: string;
let aggregator: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'palisade-aggregator-'));
  mkdirSync(join(work, 'lib'));
  writeFileSync(join(work, 'lib', 'demo.rego'), LIB);
  for (const id of ['strict', 'lax']) {
    mkdirSync(join(work, id));
    writeFileSync(join(work, id, 'policy.rego'), policy(id));
  }
  mkdirSync(join(work, 'flag'));
  writeFileSync(join(work, 'flag', 'policy.rego'), FLAG);
  aggregator = await generateAggregator(new Opa(OPA), work, [
    { id: 'strict', package: 'policies.strict' },
    { id: 'lax', package: 'policies.lax' },
    { id: 'flag', package: 'policies.flag' },
  ]);
  writeFileSync(join(work, 'main.rego'), aggregator);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('shares the always-defined public rules that read only input.review', () => {
  const shared = [...aggregator.matchAll(/^_shared_\d+ := data\.(\S+)$/gm)].map((m) => m[1]);
  expect(shared).toEqual(['lib.demo.enabled', 'lib.demo.items']);
});

it('hands each policy only the shared rules its violation depends on', () => {
  // The call of each policy's violation, with its `with` clauses.
  const call = (pkg: string) =>
    new RegExp(`^\\tvs := data\\.policies\\.${pkg}\\.violation (.*)$`, 'm').exec(aggregator)?.[1];
  expect(call('strict')).toBe(
    'with input.parameters as params with data.lib.demo.enabled as _shared_0 with data.lib.demo.items as _shared_1',
  );
  expect(call('flag')).toBe(
    'with input.parameters as params with data.lib.demo.enabled as _shared_0',
  );
});

it('still gives each policy its own parameters through the library', () => {
  const files = [
    'lib/demo.rego',
    'strict/policy.rego',
    'lax/policy.rego',
    'flag/policy.rego',
    'main.rego',
  ];
  const input = {
    review: { object: { items: [1, 3, 5], enabled: true } },
    policies: { strict: { parameters: { limit: 2 } }, lax: { parameters: { limit: 4 } }, flag: {} },
  };
  writeFileSync(join(work, 'input.json'), JSON.stringify(input));
  const result = JSON.parse(
    execFileSync(
      OPA,
      [
        'eval',
        '--format',
        'json',
        ...files.flatMap((f) => ['-d', join(work, f)]),
        '-i',
        join(work, 'input.json'),
        'data.palisade.violations',
      ],
      { encoding: 'utf8' },
    ),
  ) as { result: Array<{ expressions: Array<{ value: Array<{ policy: string; msg: string }> }> }> };
  const got = result.result[0]!.expressions[0]!.value.map((v) => `${v.policy}: ${v.msg}`).sort();
  expect(got).toEqual([
    'flag: flag',
    'lax: 5 is over the limit',
    'lax: enabled',
    'strict: 3 is over the limit',
    'strict: 5 is over the limit',
    'strict: enabled',
  ]);
});

it('hands a policy opa deps cannot compile every shared rule, leaving its error to opa build', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-aggregator-broken-'));
  try {
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'demo.rego'), LIB);
    mkdirSync(join(dir, 'broken'));
    writeFileSync(
      join(dir, 'broken', 'policy.rego'),
      'package policies.broken\n\nviolation contains x if x := no_such_function(1)\n',
    );
    const text = await generateAggregator(new Opa(OPA), dir, [
      { id: 'broken', package: 'policies.broken' },
    ]);
    expect(text).toContain(
      'vs := data.policies.broken.violation with input.parameters as params with data.lib.demo.enabled as _shared_0 with data.lib.demo.items as _shared_1',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
