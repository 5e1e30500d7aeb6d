// Kubernetes' own Pod Security Admission test fixtures: k8s.io/pod-security-admission/test/testdata/
// <level>/v1.<minor>/{pass,fail}/*.yaml, one Pod per file, that the real admission must allow
// (pass) or refuse (fail) at that level and version. They come with the Go module, found through
// the tools/kube module (which pins it for kube-apiserver) and downloaded by the Go module proxy when
// the module cache lacks them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../../src/admission/types';
import type { Level } from './pss-engine';

export interface PsaFixture {
  level: Level;
  version: string; // "v1.N"
  expect: 'pass' | 'fail';
  file: string;
  pod: KubeObject;
}

const MODULE = 'k8s.io/pod-security-admission';

/** The module's directory in the Go module cache (downloading it if needed). */
export function psaModuleDir(root = resolve(__dirname, '../../..')): string {
  const out = execFileSync('go', ['mod', 'download', '-json', MODULE], {
    cwd: join(root, 'tools/kube'),
    encoding: 'utf8',
    timeout: 300_000,
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string; Version?: string };
  if (!info.Dir || info.Error) throw new Error(`go mod download ${MODULE}: ${info.Error ?? out}`);
  return info.Dir;
}

export function loadPsaFixtures(moduleDir: string): PsaFixture[] {
  const base = join(moduleDir, 'test/testdata');
  const out: PsaFixture[] = [];
  for (const level of ['baseline', 'restricted'] as const) {
    for (const version of readdirSync(join(base, level))) {
      for (const expect of ['pass', 'fail'] as const) {
        const dir = join(base, level, version, expect);
        if (!existsSync(dir)) continue;
        for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
          const file = join(dir, f);
          out.push({ level, version, expect, file, pod: parse(readFileSync(file, 'utf8')) });
        }
      }
    }
  }
  return out;
}

/** The fixture's pod as the template of a Deployment (what PSA checks for warn/audit). */
export function asDeployment(pod: KubeObject): KubeObject {
  const labels = { ...((pod.metadata?.labels as Record<string, string>) ?? {}), test: 'true' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'test' },
    spec: {
      selector: { matchLabels: { test: 'true' } },
      template: { metadata: { ...pod.metadata, labels }, spec: pod.spec },
    },
  };
}
