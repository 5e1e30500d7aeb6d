// `palisade push` and `palisade pull` (in-process, src/cli/main run) against the real registry
// over TLS with htpasswd: push prints the manifest digest and annotates the bundle's revision,
// pull writes the same bytes, --last-digest downloads nothing and says so, a file that is not a
// bundle is refused before anything is sent, a wrong password exits 2 naming the 401, and the
// real oras reads what `palisade push` wrote. Bundles are made by the real opa.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/io';
import { run } from '../../src/cli/main';
import { oras, startRegistry, type TestRegistry } from '../support/registry';
import { ROOT } from '../support/root';

let registry: TestRegistry;
let bundleFile: string;

beforeAll(async () => {
  registry = await startRegistry({ users: { ci: 'ci-secret' } });
  const src = join(registry.dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'p.rego'), 'package p\n\nallow := true\n');
  bundleFile = join(registry.dir, 'bundle.tar.gz');
  execFileSync(join(ROOT, '.tools', 'bin', 'opa'), [
    'build',
    '-b',
    src,
    '--revision',
    'rev-42',
    '-o',
    bundleFile,
  ]);
});

afterAll(async () => {
  await registry?.remove();
});

async function palisade(argv: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    stdin: Readable.from([opts.stdin ?? '']),
    env: opts.env ?? { HOME: registry.dir },
  };
  const code = await run(argv, io);
  return { code, out, err };
}

const tls = () => ['--ca-file', registry.caFile];
const creds = () => ['--credentials-file', registry.credentialsFile, ...tls()];

it('push prints the digest; pull writes the same bytes; --last-digest downloads nothing', async () => {
  const push = await palisade(['push', registry.ref('cli/policies:v1'), bundleFile, ...creds()]);
  expect(push).toMatchObject({ code: 0 });
  const digest = push.out.trim();
  expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
  expect(push.err).toContain('revision rev-42');
  expect(push.err).toContain('unsigned');

  const out = join(registry.dir, 'pulled.tar.gz');
  const pull = await palisade(['pull', registry.ref('cli/policies:v1'), '-o', out, ...creds()]);
  expect(pull).toMatchObject({ code: 0, out: `${digest}\n` });
  expect(readFileSync(out).equals(readFileSync(bundleFile))).toBe(true);

  const again = join(registry.dir, 'again.tar.gz');
  const unchanged = await palisade([
    'pull',
    registry.ref('cli/policies:v1'),
    '-o',
    again,
    '--last-digest',
    digest,
    ...creds(),
  ]);
  expect(unchanged).toMatchObject({ code: 0, out: `${digest}\n` });
  expect(unchanged.err).toContain('nothing downloaded');
  expect(existsSync(again)).toBe(false);

  // The revision annotation, as oras sees the manifest.
  const manifest = await oras(
    [
      'manifest',
      'fetch',
      ...tls(),
      '-u',
      'ci',
      '-p',
      'ci-secret',
      `${registry.host}/cli/policies:v1`,
    ],
    registry.dir,
  );
  expect(manifest).toMatchObject({ code: 0 });
  expect(JSON.parse(manifest.stdout).annotations).toEqual({
    'org.opencontainers.image.revision': 'rev-42',
  });
});

it('takes -u with --password-stdin, and the default Docker config from DOCKER_CONFIG', async () => {
  const push = await palisade(
    ['push', registry.ref('cli/stdin:v1'), bundleFile, '-u', 'ci', '--password-stdin', ...tls()],
    { stdin: 'ci-secret\n' },
  );
  expect(push).toMatchObject({ code: 0 });
  const dockerDir = join(registry.dir, 'docker');
  mkdirSync(dockerDir, { recursive: true });
  writeFileSync(join(dockerDir, 'config.json'), readFileSync(registry.credentialsFile));
  const out = join(registry.dir, 'stdin.tar.gz');
  const pull = await palisade(['pull', registry.ref('cli/stdin:v1'), '-o', out, ...tls()], {
    env: { DOCKER_CONFIG: dockerDir },
  });
  expect(pull).toMatchObject({ code: 0, out: push.out });
});

it('refuses a file that is not a bundle before sending anything', async () => {
  const notBundle = join(registry.dir, 'notes.tar.gz');
  writeFileSync(notBundle, 'just text');
  const push = await palisade(['push', registry.ref('cli/bad:v1'), notBundle, ...creds()]);
  expect(push.code).toBe(2);
  expect(push.err).toContain(notBundle);
  const pull = await palisade([
    'pull',
    registry.ref('cli/bad:v1'),
    '-o',
    join(registry.dir, 'x'),
    ...creds(),
  ]);
  expect(pull.code).toBe(2);
  expect(pull.err).toContain('404 Not Found');
});

it('a wrong password exits 2 naming the 401; an untrusted CA names TLS', async () => {
  const wrong = await palisade(
    [
      'pull',
      registry.ref('cli/policies:v1'),
      '-o',
      join(registry.dir, 'y'),
      '-u',
      'ci',
      '--password-stdin',
      ...tls(),
    ],
    { stdin: 'wrong\n' },
  );
  expect(wrong.code).toBe(2);
  expect(wrong.err).toContain('401 Unauthorized');
  expect(wrong.err).not.toContain('--verbose shows');
  const untrusted = await palisade([
    'pull',
    registry.ref('cli/policies:v1'),
    '-o',
    join(registry.dir, 'z'),
    '--credentials-file',
    registry.credentialsFile,
  ]);
  expect(untrusted.code).toBe(2);
  expect(untrusted.err).toContain('TLS');
});

it('usage: a bad reference, a missing -o, --help', async () => {
  const bad = await palisade(['pull', 'https://example.com/x', '-o', 'f']);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain('not an oci:// reference');
  expect((await palisade(['pull', registry.ref('a:b')])).err).toContain('-o FILE is required');
  const help = await palisade(['push', '--help']);
  expect(help).toMatchObject({ code: 0 });
  expect(help.out).toContain('application/vnd.oci.image.layer.v1.tar+gzip');
});
