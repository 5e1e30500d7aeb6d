// The policy set of a bench run, identical for Palisade and OPA server: the sources under
// BENCH_POLICIES (default policies/, the built-in library), optionally copied N times under new ids
// (the "N times larger policy set" case), compiled by `palisade build` into a temporary bundle
// whose generated aggregator (palisade/main.rego, PALISADE_AGGREGATOR_OUT) is kept for OPA server.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';

export interface BenchPolicySet {
  /** Policy sources (lib + one folder per policy). */
  dir: string;
  /** The compiled bundle directory. */
  bundle: string;
  /** Palisade's config file: BENCH_CONFIG's content (if any) with `bundle` set to ours. */
  configFile: string;
  /** Every .rego OPA server loads: the sources (no tests) and the generated aggregator. */
  regoFiles: string[];
  policyCount: number;
}

/** Builds the set under `work` (a fresh temporary directory). */
export function buildPolicySet(
  root: string,
  work: string,
  scale: number,
  baseConfig?: string,
): BenchPolicySet {
  mkdirSync(work, { recursive: true });
  const source = join(root, process.env.BENCH_POLICIES ?? 'policies');
  const dir = scale === 1 ? source : scaledCopy(source, join(work, 'policies'), scale);
  const bundle = join(work, 'bundle');
  const aggregator = join(work, 'main.rego');
  execFileSync(process.execPath, [join(root, 'bin', 'palisade.js'), 'build', dir, '-o', bundle], {
    cwd: root,
    env: { ...process.env, PALISADE_AGGREGATOR_OUT: aggregator },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const config = baseConfig
    ? (parseYaml(readFileSync(baseConfig, 'utf8')) as Record<string, unknown>)
    : {};
  const configFile = join(work, 'config.yaml');
  writeFileSync(configFile, toYaml({ ...config, bundle, watch: false }));
  const regoFiles = [...regoSources(dir), aggregator];
  const policyCount = readdirSync(dir, { withFileTypes: true }).filter(
    (e) => e.isDirectory() && e.name !== 'lib',
  ).length;
  return { dir, bundle, configFile, regoFiles, policyCount };
}

/**
 * lib/ and capabilities.json once, and every policy `scale` times: copy k > 1 of policy <id> is
 * <id>-copy<k> in package policies.<id>_copy<k>. Examples and tests are left out.
 */
function scaledCopy(source: string, out: string, scale: number): string {
  mkdirSync(out, { recursive: true });
  cpSync(join(source, 'lib'), join(out, 'lib'), { recursive: true });
  cpSync(join(source, 'capabilities.json'), join(out, 'capabilities.json'));
  for (const e of readdirSync(source, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === 'lib') continue;
    const rego = readFileSync(join(source, e.name, 'policy.rego'), 'utf8');
    const yaml = readFileSync(join(source, e.name, 'policy.yaml'), 'utf8');
    const pkg = `policies.${e.name.replace(/-/g, '_')}`;
    for (let k = 1; k <= scale; k++) {
      const id = k === 1 ? e.name : `${e.name}-copy${k}`;
      const target = join(out, id);
      mkdirSync(target);
      const newPkg = k === 1 ? pkg : `${pkg}_copy${k}`;
      writeFileSync(
        join(target, 'policy.rego'),
        rego.replace(`package ${pkg}`, `package ${newPkg}`),
      );
      writeFileSync(join(target, 'policy.yaml'), yaml.replace(/^id: .*$/m, `id: ${id}`));
    }
  }
  return out;
}

function regoSources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'examples') out.push(...regoSources(p));
    } else if (e.name.endsWith('.rego') && !e.name.endsWith('_test.rego')) out.push(p);
  }
  return out.sort();
}
