// The arrows between the parts (docs/architecture.md) are enforced by eslint.config.mjs's
// no-restricted-imports, one rule per folder. Each case lints a one-line file placed in a part's
// folder with ESLint's Node API and the repository's own config: a forbidden import must fail
// with that rule, and an allowed one must pass (so a rule that forbids everything fails too).
// ESLint loads its config with a dynamic import(), which Jest's module sandbox refuses, so the
// cases are linted together in one child Node process.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

const FORBIDDEN: [arrow: string, file: string, source: string][] = [
  ['Admission → Server', 'src/admission/x.ts', "import { x } from '../server/deps';"],
  ['Admission → fastify', 'src/admission/x.ts', "import x from 'fastify';"],
  ['Policy → Admission', 'src/policy/x.ts', "import { x } from '../admission/handler';"],
  ['Policy → Server', 'src/policy/x.ts', "import type { x } from '../server/deps';"],
  ['Policy → Kube', 'src/policy/x.ts', "import { x } from '../kube/client';"],
  ['Policy → the Kubernetes API', 'src/policy/x.ts', "import x from '@kubernetes/client-node';"],
  [
    'Policy (a subfolder) → Kube',
    'src/policy/build/x.ts',
    "import { x } from '../../kube/client';",
  ],
  ['Policy → CLI', 'src/policy/source/x.ts', "import { x } from '../../cli/paths';"],
  ['Policy → fastify', 'src/policy/x.ts', "import { x } from '@fastify/error';"],
  ['Server → Policy', 'src/server/routes/x.ts', "import { x } from '../../policy/policy-runtime';"],
  ['Server → Certs', 'src/server/x.ts', "import { x } from '../certs/serving-cert';"],
  ['CLI → Server', 'src/cli/commands/x.ts', "import { x } from '../../server/build-server';"],
  ['Kube → Policy', 'src/kube/x.ts', "import type { x } from '../policy/match';"],
  ['Kube → Certs', 'src/kube/x.ts', "import { x } from '../certs/pem';"],
  ['Certs → Server', 'src/certs/x.ts', "import { x } from '../server/build-server';"],
  ['Config → Policy', 'src/config/x.ts', "import { x } from '../policy/policy-meta';"],
  ['a shared file → Admission', 'src/x.ts', "import { x } from './admission/handler';"],
  ['a re-export: Server → Policy', 'src/server/x.ts', "export { x } from '../policy/match';"],
  ['Server → Bundles', 'src/server/x.ts', "import { x } from '../bundles/poller';"],
  ['Policy → Bundles', 'src/policy/x.ts', "import { x } from '../bundles/oci';"],
  ['Bundles → Server', 'src/bundles/x.ts', "import { x } from '../server/metrics';"],
  ['Bundles → Kube', 'src/bundles/oci/x.ts', "import { x } from '../../kube/client';"],
  ['Gatekeeper → Admission', 'src/gatekeeper/x.ts', "import { x } from '../admission/handler';"],
  [
    'Gatekeeper → the Kubernetes API',
    'src/gatekeeper/x.ts',
    "import x from '@kubernetes/client-node';",
  ],
  ['Audit → Server', 'src/audit/x.ts', "import { x } from '../server/metrics';"],
  ['Audit → Gatekeeper', 'src/audit/x.ts', "import { x } from '../gatekeeper/template';"],
  ['Policy → Gatekeeper', 'src/policy/x.ts', "import { x } from '../gatekeeper/template';"],
  ['Kube → Audit', 'src/kube/x.ts', "import { x } from '../audit/scan';"],
  [
    'the playground (CLI) → Server',
    'src/cli/playground/x.ts',
    "import { x } from '../../server/metrics';",
  ],
  ['the playground (CLI) → fastify', 'src/cli/playground/x.ts', "import x from 'fastify';"],
  [
    'the playground page → Kube',
    'src/cli/playground/page/x.ts',
    "import { x } from '../../../kube/client';",
  ],
  [
    'Policy → the playground (CLI)',
    'src/policy/x.ts',
    "import { x } from '../cli/playground/server';",
  ],
];

const ALLOWED: [arrow: string, file: string, source: string][] = [
  ['Server → Admission', 'src/server/routes/x.ts', "import { x } from '../../admission/handler';"],
  ['Server → fastify', 'src/server/x.ts', "import x from 'fastify';"],
  ['Admission → Policy', 'src/admission/x.ts', "import type { x } from '../policy/snapshot';"],
  ['Admission → a shared file', 'src/admission/x.ts', "import { x } from '../deadline';"],
  ['CLI → Admission', 'src/cli/x.ts', "import { x } from '../admission/handler';"],
  ['CLI → Policy', 'src/cli/commands/x.ts', "import { x } from '../../policy/policy-runtime';"],
  ['Certs → Kube', 'src/certs/x.ts', "import { x } from '../kube/client';"],
  ['Policy → Config', 'src/policy/x.ts', "import { x } from '../config/schema';"],
  ['Policy → its own subfolder', 'src/policy/build/x.ts', "import { x } from '../source/kinds';"],
  ['Kube → the Kubernetes API', 'src/kube/x.ts', "import x from '@kubernetes/client-node';"],
  ['a shared file → Config', 'src/x.ts', "import { x } from './config/schema';"],
  ['main.ts → every part', 'src/main.ts', "import { x } from './policy/policy-runtime';"],
  ['Bundles → Policy', 'src/bundles/x.ts', "import { x } from '../policy/artifact';"],
  ['Bundles → Config', 'src/bundles/oci/x.ts', "import type { x } from '../../config/schema';"],
  ['CLI → Bundles', 'src/cli/commands/x.ts', "import { x } from '../../bundles/oci';"],
  ['Gatekeeper → Policy', 'src/gatekeeper/x.ts', "import { x } from '../policy/bundle';"],
  ['Gatekeeper → Kube', 'src/gatekeeper/controller/x.ts', "import { x } from '../../kube/client';"],
  ['Audit → Admission', 'src/audit/x.ts', "import { x } from '../admission/handler';"],
  ['Audit → Kube', 'src/audit/x.ts', "import { x } from '../kube/client';"],
  ['CLI → Gatekeeper', 'src/cli/commands/x.ts', "import { x } from '../../gatekeeper/suite';"],
  ['CLI → Audit', 'src/cli/commands/x.ts', "import { x } from '../../audit/compliance';"],
  [
    'the playground page → its CLI',
    'src/cli/playground/page/x.ts',
    "import { x } from '../../evaluate';",
  ],
  [
    'the playground (CLI) → Policy',
    'src/cli/playground/x.ts',
    "import { x } from '../../policy/build/opa';",
  ],
];

/** Runs in the child: lints each [file, text] and prints the no-restricted-imports messages. */
const LINT = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
Promise.all(cases.map(async ([filePath, text]) => {
  const [result] = await eslint.lintText(text, { filePath });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
})).then((out) => process.stdout.write(JSON.stringify(out)));
`;

const messages = new Map<string, string[]>();

beforeAll(() => {
  const cases = [...FORBIDDEN, ...ALLOWED];
  const input = cases.map(([, file, source]) => [
    join(root, file),
    `${source}\nexport const used = x;\n`,
  ]);
  const out = execFileSync(process.execPath, ['-e', LINT], {
    cwd: root,
    input: JSON.stringify(input),
    encoding: 'utf8',
  });
  const results = JSON.parse(out) as string[][];
  cases.forEach(([arrow], i) => messages.set(arrow, results[i]!));
});

describe('a forbidden import fails lint', () => {
  it.each(FORBIDDEN)('%s', (arrow) => {
    const found = messages.get(arrow)!;
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/may not (import|use) .*docs\/architecture\.md/);
  });
});

describe('an allowed import passes lint', () => {
  it.each(ALLOWED)('%s', (arrow) => {
    expect(messages.get(arrow)).toEqual([]);
  });
});
