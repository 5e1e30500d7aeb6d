// docs/threat-model.md, "A malicious policy": a policy cannot reach files, the network, the
// clock or randomness, at build time or at run time.
// - Build time: the capabilities file `opa build` compiles against lists no builtin that does I/O
//   or is not a pure function of its input (a policy calling one fails the build, naming it:
//   test/integration/build-policies.test.ts).
// - Run time: the compiled policy.wasm can only call what it imports, and it imports a memory,
//   abort, print and builtin dispatch — nothing else; the builtins it asks the host for are the
//   host's table (src/policy/builtins), pure functions of their arguments.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostBuiltins } from '../../src/policy/builtins';
import { readCString } from '../../src/policy/wasm-memory';
import { BUNDLE } from './harness';

const ROOT = join(__dirname, '..', '..');

// Builtins of OPA that read the network, files, the environment, the clock or randomness.
const IMPURE = [
  'http.send',
  'net.lookup_ip_addr',
  'opa.runtime',
  'time.now_ns',
  'rand.intn',
  'uuid.rfc4122',
  'io.jwt.decode_verify', // reads the clock for exp / nbf
  'providers.aws.sign_req', // reads the clock
  'trace',
];

it('the capabilities the build compiles against allow no impure builtin', () => {
  const caps = JSON.parse(readFileSync(join(ROOT, 'policies/capabilities.json'), 'utf8'));
  const names: string[] = caps.builtins.map((b: { name: string }) => b.name);
  expect(names.length).toBeGreaterThan(50);
  expect(names.filter((n) => IMPURE.includes(n))).toEqual([]);
});

it('the compiled policy imports only memory, abort, print and the builtin dispatch', () => {
  const module = new WebAssembly.Module(readFileSync(join(BUNDLE, 'policy.wasm')));
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  const allowed = [
    'env.memory',
    'env.opa_abort',
    'env.opa_println',
    ...[0, 1, 2, 3, 4].map((n) => `env.opa_builtin${n}`),
  ];
  expect(imports.length).toBeGreaterThan(0);
  expect(imports.filter((i) => !allowed.includes(i))).toEqual([]);
});

it('the builtins the compiled policy asks the host for are all in the host table', () => {
  const module = new WebAssembly.Module(readFileSync(join(BUNDLE, 'policy.wasm')));
  const memory = new WebAssembly.Memory({ initial: 5 });
  const refuse = (name: string) => () => {
    throw new Error(`called ${name} while listing builtins`);
  };
  const env: Record<string, WebAssembly.ImportValue> = {
    memory,
    opa_abort: refuse('opa_abort'),
    opa_println: () => undefined,
  };
  for (let n = 0; n <= 4; n++) env[`opa_builtin${n}`] = refuse(`opa_builtin${n}`);
  const { exports } = new WebAssembly.Instance(module, { env });
  const ex = exports as { builtins: () => number; opa_json_dump: (addr: number) => number };
  const asked = Object.keys(JSON.parse(readCString(memory, ex.opa_json_dump(ex.builtins()))));
  expect(asked.length).toBeGreaterThan(0); // the library uses sprintf at least
  expect(asked.filter((name) => !(name in hostBuiltins))).toEqual([]);
  expect(asked.filter((name) => IMPURE.includes(name))).toEqual([]);
});
