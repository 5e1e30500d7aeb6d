// A progress bar on stderr for long runs. Only on a terminal, only past a few objects: in CI
// logs and pipes it would be noise, so there it prints nothing at all.
import type { OutStream } from './io';

export const PROGRESS_MIN_ITEMS = 20;

export interface Progress {
  tick(): void;
  done(): void;
}

const SILENT: Progress = { tick: () => undefined, done: () => undefined };

export function progressBar(stream: OutStream, total: number, label: string): Progress {
  if (stream.isTTY !== true || total < PROGRESS_MIN_ITEMS) return SILENT;
  const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - label.length - 20));
  let count = 0;
  let drawn = -1;
  const draw = () => {
    const filled = Math.round((count / total) * width);
    // Redraw only when the bar changes: a few dozen writes however many objects there are.
    if (filled === drawn && count !== total) return;
    drawn = filled;
    const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
    stream.write(`\r${label} [${bar}] ${count}/${total}`);
  };
  draw();
  return {
    tick() {
      count = Math.min(total, count + 1);
      draw();
    },
    done() {
      stream.write('\r\u001b[K');
    },
  };
}
