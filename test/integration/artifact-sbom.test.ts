// npm run sbom: a CycloneDX SBOM of the runtime dependencies (@cyclonedx/cyclonedx-npm --omit
// dev) at dist/sbom.cdx.json. It lists every dependency of package.json, fastify among them, with
// its version and package URL, and no devDependency (direct or only reached through one), as `npm ls --omit dev` sees the
// runtime tree.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../support/root';

interface Component {
  name: string;
  group?: string;
  version: string;
  purl?: string;
  components?: Component[];
}

function all(components: Component[] = []): Component[] {
  return components.flatMap((c) => [c, ...all(c.components)]);
}

const fullName = (c: Component) => (c.group ? `${c.group}/${c.name}` : c.name);

it('lists the runtime dependencies, fastify among them, and no devDependency', async () => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  await promisify(execFile)(npm, ['run', '-s', 'sbom'], { cwd: ROOT, maxBuffer: 64 << 20 });
  const bom = JSON.parse(readFileSync(join(ROOT, 'dist', 'sbom.cdx.json'), 'utf8')) as {
    bomFormat: string;
    specVersion: string;
    metadata: { component: Component };
    components: Component[];
  };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  expect(bom.bomFormat).toBe('CycloneDX');
  expect(bom.metadata.component).toMatchObject({ name: 'palisade', version: pkg.version });

  const components = all(bom.components);
  const names = new Set(components.map(fullName));
  for (const dep of Object.keys(pkg.dependencies)) expect(names).toContain(dep);
  const fastify = components.find((c) => fullName(c) === 'fastify')!;
  expect(fastify.version).toBe(
    (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', 'fastify', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version,
  );
  expect(fastify.purl).toBe(`pkg:npm/fastify@${fastify.version}`);

  // npm's own view of the runtime tree (npm ls --omit dev): every component must be in it; a
  // devDependency may appear only where a runtime dependency needs it too (@types/node is one of
  // @kubernetes/client-node's dependencies).
  const { stdout } = await promisify(execFile)(npm, ['ls', '--omit', 'dev', '--all', '--json'], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
  });
  const runtime = new Set<string>();
  const walk = (deps: Record<string, { dependencies?: Record<string, unknown> }> = {}) => {
    for (const [name, d] of Object.entries(deps)) {
      runtime.add(name);
      walk(d.dependencies as Record<string, { dependencies?: Record<string, unknown> }>);
    }
  };
  walk(
    (
      JSON.parse(stdout) as {
        dependencies: Record<string, { dependencies?: Record<string, unknown> }>;
      }
    ).dependencies,
  );
  expect([...names].filter((n) => !runtime.has(n))).toEqual([]);
  const dev = Object.keys(pkg.devDependencies).filter((d) => !runtime.has(d));
  expect(dev.length).toBeGreaterThan(5);
  expect(dev.filter((d) => names.has(d))).toEqual([]);
  // Reached only through devDependencies: jest's and eslint's own dependencies.
  for (const devOnly of [
    'jest-circus',
    '@eslint/core',
    'ts-jest',
    '@cyclonedx/cyclonedx-library',
  ]) {
    expect(names).not.toContain(devOnly);
  }
});
