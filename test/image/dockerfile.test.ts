// The Dockerfile, without a Docker engine: its rules checked as a linter would (hadolint is not
// packaged in Debian, so it is not run here), then every RUN step of every stage run for real
// outside Docker, and the runtime stage's files started the way the image starts them: as uid
// 65532, from a directory it cannot write, with production dependencies only. The host's Go and
// Node.js stand in for the base images' (here Node.js may be 20 where the image has 24; the
// supported range is the same).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { httpsCall } from '../support/https-client';
import { ROOT } from '../support/root';
import { startPalisadeProcess } from '../support/palisade-process';
import { execForm, parseDockerfile, runStages, type Stage } from './dockerfile';

/** What /app holds in the image: opa and the policy sources are for the Gatekeeper mode. */
const RUNTIME_FILES = ['.tools', 'dist', 'node_modules', 'package.json', 'policies'];

const df = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const stage = (name: string) => df.stages.find((s) => s.name === name)!;
const ops = (s: Stage) => s.instructions.map((i) => i.op);

describe('rules', () => {
  it('has the tools, build, deps and runtime stages, runtime last', () => {
    expect(df.stages.map((s) => s.name)).toEqual(['tools', 'build', 'deps', 'runtime']);
  });

  it('pins every base image to a version, never latest', () => {
    expect(df.stages.map((s) => s.base)).toEqual([
      'golang:1.26-bookworm',
      'node:24-bookworm-slim',
      'node:24-bookworm-slim',
      'gcr.io/distroless/nodejs24-debian12:nonroot',
    ]);
  });

  it('builds opa with Go in its own stage, and the policies with that opa', () => {
    expect(stage('tools').instructions).toContainEqual(
      expect.objectContaining({ op: 'RUN', args: 'bash scripts/tools.sh opa' }),
    );
    expect(stage('build').instructions.map((i) => i.args)).toContain(
      '--from=tools /src/.tools/bin/opa /src/.tools/bin/.opa.version .tools/bin/',
    );
  });

  it('installs with npm ci from the lockfile; production dependencies only in the runtime', () => {
    const runs = df.stages.flatMap((s) =>
      s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args),
    );
    expect(runs.filter((r) => r.includes('npm install'))).toEqual([]);
    expect(stage('deps').instructions.map((i) => i.args)).toContain(
      'npm ci --omit=dev --ignore-scripts --no-audit --no-fund',
    );
  });

  it('runtime: no RUN (no shell there), non-root numeric USER, exec-form entrypoint, only COPY of build output', () => {
    const runtime = stage('runtime');
    expect(ops(runtime)).not.toContain('RUN');
    expect(ops(runtime)).not.toContain('ADD');
    expect(runtime.instructions.find((i) => i.op === 'USER')?.args).toBe('65532:65532');
    expect(execForm(runtime, 'ENTRYPOINT')).toEqual(['/nodejs/bin/node']);
    expect(execForm(runtime, 'CMD')[0]).toBe('/app/dist/src/main.js');
  });

  it('uses absolute WORKDIRs and no ADD anywhere', () => {
    for (const s of df.stages) {
      expect(ops(s)).not.toContain('ADD');
      for (const w of s.instructions.filter((i) => i.op === 'WORKDIR'))
        expect(w.args).toMatch(/^\//);
    }
  });
});

describe('every step, run outside Docker', () => {
  const work = mkdtempSync(join(tmpdir(), 'palisade-image-'));
  let dirs: Record<string, string>;
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  beforeAll(() => {
    dirs = runStages(df, { context: ROOT, root: work });
  });

  it('the build stage made the TypeScript output and the policy bundle with the pinned opa', () => {
    const app = join(dirs.build!, 'app');
    expect(existsSync(join(app, 'dist/src/main.js'))).toBe(true);
    expect(readdirSync(join(app, 'dist/bundle')).sort()).toEqual([
      'data.json',
      'palisade.json',
      'policy.wasm',
    ]);
    const manifest = JSON.parse(readFileSync(join(app, 'dist/bundle/palisade.json'), 'utf8'));
    const stamp = readFileSync(join(dirs.tools!, 'src/.tools/bin/.opa.version'), 'utf8');
    expect(`v${manifest.opaVersion}`).toBe(stamp.trim());
  });

  it('the runtime stage holds production dependencies only', () => {
    const modules = join(dirs.runtime!, 'app', 'node_modules');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies))
      expect(existsSync(join(modules, dep))).toBe(true);
    // The build and test tools. (Not every devDependency: some @types packages are also
    // dependencies of dependencies.)
    for (const dev of ['typescript', 'jest', 'ts-jest', 'eslint', 'prettier', 'autocannon']) {
      expect(Object.keys(pkg.devDependencies)).toContain(dev);
      expect(existsSync(join(modules, dev))).toBe(false);
    }
    expect(readdirSync(join(dirs.runtime!, 'app')).sort()).toEqual(RUNTIME_FILES);
  });

  it('the runtime compiles a ConstraintTemplate with its own opa and policy sources, as uid 65532', () => {
    const app = join(dirs.runtime!, 'app');
    for (let d = app; d !== tmpdir() && d !== '/'; d = join(d, '..')) chmodSync(d, 0o755);
    const tmp = mkdtempSync(join(tmpdir(), 'palisade-image-tmp-'));
    chmodSync(tmp, 0o777);
    const template = parse(
      readFileSync(join(ROOT, 'test/e2e/gatekeeper/k8srequiredlabels-template.yaml'), 'utf8'),
    );
    // What src/gatekeeper/controller/compile-bundle.ts does, with the runtime's files only.
    const script = `
      const r = (m) => require(${JSON.stringify(app)} + '/dist/src/' + m);
      const { compileTemplates } = r('gatekeeper/compile.js');
      const { parseTemplate } = r('gatekeeper/template.js');
      const { Opa, pinnedOpaPath } = r('policy/build/opa.js');
      const { builtinPoliciesDir } = r('policy/build/build-bundle.js');
      const t = parseTemplate(JSON.parse(process.env.TEMPLATE), 'image test');
      compileTemplates({ opa: new Opa(pinnedOpaPath()), templates: [t],
        outDir: process.env.TMPDIR + '/bundle', policiesDir: builtinPoliciesDir() })
        .then((c) => console.log(JSON.stringify({ compiled: c.compiled, errors: [...c.errors],
          opa: pinnedOpaPath(), policies: builtinPoliciesDir() })));`;
    try {
      const out = execFileSync(process.execPath, ['-e', script], {
        cwd: app,
        uid: 65532,
        gid: 65532,
        env: {
          PATH: '',
          NODE_ENV: 'production',
          TMPDIR: tmp,
          HOME: tmp,
          TEMPLATE: JSON.stringify(template),
        },
        encoding: 'utf8',
      });
      expect(JSON.parse(out)).toEqual({
        compiled: ['k8srequiredlabels'],
        errors: [],
        opa: join(app, '.tools/bin/opa'),
        policies: join(app, 'policies'),
      });
      expect(readdirSync(join(tmp, 'bundle'))).toEqual(
        expect.arrayContaining(['policy.wasm', 'palisade.json']),
      );
      expect(readdirSync(app).sort()).toEqual(RUNTIME_FILES);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('the runtime starts as uid 65532 from a read-only /app and answers /healthz and /validate', async () => {
    const runtime = stage('runtime');
    const app = join(dirs.runtime!, 'app');
    // Readable and traversable by uid 65532 on the way down; nothing in /app writable by it.
    for (let d = app; d !== tmpdir() && d !== '/'; d = join(d, '..')) chmodSync(d, 0o755);
    const tmp = mkdtempSync(join(tmpdir(), 'palisade-image-tmp-'));
    chmodSync(tmp, 0o777);
    const [entry] = execForm(runtime, 'ENTRYPOINT');
    expect(entry).toBe('/nodejs/bin/node');
    const cmd = execForm(runtime, 'CMD').map((a) => a.replace(/^\/app\//, `${app}/`));
    const [main, ...args] = cmd;
    const started = await startPalisadeProcess({
      main: main!,
      args: [...args, '--host', '127.0.0.1', '--port', '0'],
      cwd: app,
      uid: 65532,
      gid: 65532,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', TMPDIR: tmp, HOME: tmp },
      noWait: true,
    });
    try {
      const curl = /curl --cacert (\S+) [\s\S]*?(https:\/\/127\.0\.0\.1:(\d+))\/validate/;
      const m = await started.until(
        () => curl.exec(started.output()) ?? undefined,
        'the curl hint',
      );
      const ca = readFileSync(m[1]!, 'utf8');
      const port = Number(m[3]);
      expect((await call(port, ca, 'GET', '/healthz')).status).toBe(200);
      const review = readFileSync(join(ROOT, 'examples/reviews/privileged-pod.json'), 'utf8');
      const reply = await call(port, ca, 'POST', '/validate', review);
      expect(JSON.parse(reply.text).response.allowed).toBe(false);
      // It wrote nothing where it runs.
      expect(readdirSync(app).sort()).toEqual(RUNTIME_FILES);
    } finally {
      // Not a shutdown test (process.test.ts is): no drain to wait for.
      await started.stop('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

function call(port: number, ca: string, method: string, path: string, body?: string) {
  return httpsCall({ host: '127.0.0.1', port, method, path, ca }, body);
}
