// The bundle directory is replaced atomically: the new one is assembled in a staging directory
// beside it (same filesystem, so rename(2) works), then the old one is renamed aside, the new
// one into place, and the old one deleted. A reader (the webhook's bundle watch) sees a complete
// old or new directory (or, for an instant, none), never a partial one.
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A fresh staging directory beside out (".<name>.tmp.XXXXXX"), its parent created. */
export function stagingDir(out: string): string {
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `.${basename(out)}.tmp.`));
}

/** Moves the complete stage to out, replacing what was there. */
export function swapInto(stage: string, out: string): void {
  if (!existsSync(out)) {
    renameSync(stage, out);
    return;
  }
  const old = join(dirname(out), `.${basename(out)}.old.${process.pid}`);
  rmSync(old, { recursive: true, force: true });
  renameSync(out, old);
  renameSync(stage, out);
  rmSync(old, { recursive: true, force: true });
}
