// policies/capabilities.json, measured with the pinned opa: it allows every builtin the host
// provides (the hostBuiltins table the runtime hands to the wasm module, not a copied list) and
// the native ones, and refuses one that neither the wasm module nor the host can run. (Its
// bytes are checked by `palisade generate --check`.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostBuiltins } from '../../src/policy/builtins';
import { measureCapabilities } from '../../src/policy/generate/capabilities';

const ROOT = join(__dirname, '..', '..');
const names = (caps: { builtins: { name: string }[] }) => caps.builtins.map((b) => b.name);

it('allows the host builtins and the native ones, as the committed file does', async () => {
  const { caps, summary } = await measureCapabilities();
  const allowed = names(caps);
  expect(allowed).toEqual(expect.arrayContaining(Object.keys(hostBuiltins)));
  expect(allowed).toEqual(expect.arrayContaining(['count', 'regex.match', 'assign', 'eq']));
  expect(allowed).not.toContain('http.send');
  expect(allowed).not.toContain('time.now_ns');
  // Deprecated builtins for v0 templates: native in the wasm, or (cast_*) from the host.
  expect(allowed).toEqual(
    expect.arrayContaining(['any', 'all', 're_match', 'set_diff', 'net.cidr_overlap', 'cast_set']),
  );
  expect(caps.features).toContain('rego_v1');
  expect(summary).toContain(`(${Object.keys(hostBuiltins).length} host-provided kept)`);
  const committed = JSON.parse(readFileSync(join(ROOT, 'policies', 'capabilities.json'), 'utf8'));
  expect(allowed).toEqual(names(committed));
});
