import { PROGRESS_MIN_ITEMS, progressBar } from '../../../src/cli/progress';

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, isTTY, columns: 80, write: (s: string) => writes.push(s) };
}

describe('progressBar', () => {
  it('prints nothing when stderr is not a terminal', () => {
    const s = stream(false);
    const p = progressBar(s, 500, 'evaluating');
    for (let i = 0; i < 500; i++) p.tick();
    p.done();
    expect(s.writes).toEqual([]);
  });

  it('prints nothing for a short run on a terminal', () => {
    const s = stream(true);
    const p = progressBar(s, PROGRESS_MIN_ITEMS - 1, 'evaluating');
    p.tick();
    p.done();
    expect(s.writes).toEqual([]);
  });

  it('draws a bar on a terminal, redrawing only when it moves, and clears it at the end', () => {
    const s = stream(true);
    const p = progressBar(s, 1000, 'evaluating');
    for (let i = 0; i < 1000; i++) p.tick();
    p.done();
    expect(s.writes.length).toBeLessThan(60);
    expect(s.writes.at(-2)).toMatch(/^\revaluating \[#+\] 1000\/1000$/);
    expect(s.writes.at(-1)).toBe('\r\u001b[K');
  });
});
