// What a bundle was built from and with, recorded in its manifest as metadata.provenance (issue
// 13, supply chain): the SHA-256 of every input file under the policies directory (Rego,
// policy.yaml, examples, capabilities.json: all the build may read), one digest over them all,
// the opa, node and palisade versions, and the build time (SOURCE_DATE_EPOCH when set, so a
// rebuild of the same inputs writes the same manifest).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface Provenance {
  builder: 'palisade build';
  builtAt: string;
  versions: { palisade: string; opa: string; node: string };
  /** sha256 over the sorted "path sha256" lines of the inputs. */
  inputsDigest: string;
  inputs: { path: string; sha256: string }[];
}

export function buildProvenance(opts: {
  policiesDir: string;
  builtAt: Date;
  palisadeVersion: string;
  opaVersion: string;
  nodeVersion?: string;
}): Provenance {
  const inputs = inputFiles(opts.policiesDir).map((file) => ({
    path: relative(opts.policiesDir, file).split(sep).join('/'),
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
  }));
  inputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const all = createHash('sha256');
  for (const i of inputs) all.update(`${i.path} ${i.sha256}\n`);
  return {
    builder: 'palisade build',
    builtAt: opts.builtAt.toISOString(),
    versions: {
      palisade: opts.palisadeVersion,
      opa: opts.opaVersion,
      node: opts.nodeVersion ?? process.versions.node,
    },
    inputsDigest: `sha256:${all.digest('hex')}`,
    inputs,
  };
}

/** The regular files under dir, recursively, hidden ones included, symlinks not followed. */
function inputFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...inputFiles(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}
