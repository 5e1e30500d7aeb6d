// The artifact pushBundle writes is one OPA itself loads: the real `opa run --server` with an
// OCI bundle service (`services: {type: oci}`, TLS with the registry's CA)
// downloads what Palisade pushed to the real registry, logs the bundle activated, and answers
// from its policy. Synchronised on OPA's log line, never on time.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pushBundle } from '../../src/bundles/oci';
import { freePort } from '../support/free-port';
import { startRegistry, type TestRegistry } from '../support/registry';
import { ROOT } from '../support/root';

const OPA = join(ROOT, '.tools', 'bin', 'opa');

let registry: TestRegistry;
let opa: ChildProcess | undefined;

afterAll(async () => {
  if (opa && opa.exitCode === null) {
    const exited = new Promise((resolve) => opa!.once('exit', resolve));
    opa.kill('SIGTERM');
    await exited;
  }
  await registry?.remove();
});

function get(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    })
      .on('error', reject)
      .end();
  });
}

it('opa run downloads and activates the bundle Palisade pushed', async () => {
  // No auth: what is checked here is that OPA reads the artifact (media types, layer, manifest);
  // auth is tested with oras (oci-registry, oci-token). OPA's OCI client (containerd's resolver
  // behind OPA's REST credentials) finds no credentials for a Basic challenge.
  registry = await startRegistry({ auth: 'none' });
  const src = join(registry.dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'gate.rego'), 'package gate\n\nanswer := "from the registry"\n');
  const file = join(registry.dir, 'bundle.tar.gz');
  execFileSync(OPA, ['build', '-b', src, '--revision', 'pushed-by-palisade', '-o', file]);
  const pushed = await pushBundle(registry.ref('opa/gate:v1'), readFileSync(file), {
    caFile: registry.caFile,
  });

  const port = await freePort();
  const config = join(registry.dir, 'opa.yaml');
  writeFileSync(
    config,
    JSON.stringify({
      services: {
        registry: {
          url: `https://${registry.host}`,
          type: 'oci',
          tls: { ca_cert: registry.caFile },
        },
      },
      bundles: {
        gate: {
          service: 'registry',
          resource: `${registry.host}/opa/gate:v1`,
          persist: false,
          polling: { min_delay_seconds: 60, max_delay_seconds: 120 },
        },
      },
      persistence_directory: join(registry.dir, 'opa-store'),
    }),
  );
  const child = spawn(
    OPA,
    [
      'run',
      '--server',
      '--addr',
      `127.0.0.1:${port}`,
      '--config-file',
      config,
      '--log-format',
      'json',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  opa = child;
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('Bundle loaded and activated successfully')) resolve();
      if (/"level":"error"/.test(out))
        reject(new Error(`opa logged an error:\n${out}\nregistry:\n${registry.output()}`));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`opa exited (${code}):\n${out}`)));
  });
  expect(await get(`http://127.0.0.1:${port}/v1/data/gate/answer`)).toEqual({
    result: 'from the registry',
  });
  // OPA read the revision from the .manifest of the layer Palisade pushed.
  expect(
    await get(`http://127.0.0.1:${port}/v1/data/system/bundles/gate/manifest/revision`),
  ).toEqual({
    result: 'pushed-by-palisade',
  });
  expect(pushed.layerDigest).toMatch(/^sha256:[a-f0-9]{64}$/);
});
