// Calls back when any of the files changes. Polls stat() rather than using inotify: Kubernetes
// updates mounted ConfigMaps and Secrets by swapping a symlink, which inotify on the file misses.
// The baseline is taken synchronously when the watch starts (fs.watchFile takes it later, on the
// thread pool), so a change made as soon as the watch exists, e.g. right after a reload moved it
// to a new bundle directory, is not taken for the baseline and missed.
import { statSync } from 'node:fs';

export function watchFiles(files: string[], intervalMs: number, onChange: () => void): () => void {
  let last = files.map(identity);
  const timer = setInterval(() => {
    const now = files.map(identity);
    if (now.every((id, i) => id === last[i])) return;
    last = now;
    onChange();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** What a change shows in: a new inode (a rename or symlink swap), size or mtime; or absence. */
function identity(file: string): string {
  try {
    const s = statSync(file);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}
