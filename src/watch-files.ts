// Calls back when any of the files changes. Polls stat() rather than using inotify: Kubernetes
// updates mounted ConfigMaps and Secrets by swapping a symlink, which inotify on the file misses.
import { unwatchFile, watchFile, type Stats } from 'node:fs';

export function watchFiles(files: string[], intervalMs: number, onChange: () => void): () => void {
  const listener = (curr: Stats, prev: Stats) => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.ino !== prev.ino || curr.size !== prev.size)
      onChange();
  };
  for (const f of files) watchFile(f, { interval: intervalMs, persistent: false }, listener);
  return () => files.forEach((f) => unwatchFile(f, listener));
}
