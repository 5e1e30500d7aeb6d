// npm run build:playground: the playground page's code (src/playground/page/app.ts) bundled for
// the browser by esbuild into dist/playground/app.js. platform: 'browser' makes any import of a
// Node module (node:fs, ...) fail this build, so the page cannot depend on one by accident.
import { build } from 'esbuild';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

await build({
  entryPoints: ['src/playground/page/app.ts'],
  outfile: 'dist/playground/app.js',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  logLevel: 'warning',
  // opa-wasm's ES module entry exports only loadPolicy; the engine (src/policy/wasm-runtime.ts)
  // needs LoadedPolicy, which its CommonJS entry exports, as Node loads it.
  alias: { '@open-policy-agent/opa-wasm': require.resolve('@open-policy-agent/opa-wasm') },
});
