import {
  auditAnnotations,
  denyMessage,
  MAX_DENY_ITEMS,
  MAX_WARNING_HARD_CHARS,
  MAX_WARNINGS_TOTAL,
  warningLines,
} from '../../../src/admission/messages';
import type { Violation } from '../../../src/policy/violation';

const v = (policy: string, path: string, msg: string, fix = ''): Violation => ({
  policy,
  path,
  msg,
  fix,
  details: {},
});

describe('denyMessage', () => {
  it('lists each violation with policy, path, message and fix, in a deterministic order', () => {
    const msg = denyMessage([
      v(
        'b-policy',
        'spec.containers[1].image',
        'image "x:latest" uses the latest tag',
        'pin a version',
      ),
      v(
        'a-policy',
        'spec.containers[0].securityContext.privileged',
        'privileged',
        'set it to false',
      ),
    ]);
    expect(msg).toBe(
      '2 violations of 2 policies:\n' +
        '- [a-policy] spec.containers[0].securityContext.privileged: privileged. Fix: set it to false.\n' +
        '- [b-policy] spec.containers[1].image: image "x:latest" uses the latest tag. Fix: pin a version.',
    );
  });

  it('gives the same text whatever the order of the violations', () => {
    const list = [v('p', 'b', 'm1'), v('p', 'a', 'm2'), v('o', 'z', 'm3')];
    expect(denyMessage(list)).toBe(denyMessage([...list].reverse()));
  });

  it('bounds the message with "+N more"', () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      v('p', `spec.containers[${String(i).padStart(2, '0')}]`, 'bad'),
    );
    const msg = denyMessage(many);
    expect(msg.split('\n- ')).toHaveLength(MAX_DENY_ITEMS + 1);
    expect(msg.endsWith(`\n+${25 - MAX_DENY_ITEMS} more`)).toBe(true);
  });

  it('bounds very long messages by size too', () => {
    const msg = denyMessage(Array.from({ length: 5 }, (_, i) => v('p', `x${i}`, 'y'.repeat(2000))));
    expect(msg.length).toBeLessThanOrEqual(4096);
    expect(msg).toMatch(/\+\d+ more$/);
  });
});

describe('warningLines', () => {
  it('writes one line per violation: policy, message, and the path when it fits', () => {
    expect(
      warningLines([
        v('limits', 'spec.containers[0].resources.limits', 'container "app" has no cpu limit'),
      ]),
    ).toEqual([
      '[limits] container "app" has no cpu limit (at spec.containers[0].resources.limits)',
    ]);
    expect(
      warningLines([v('limits', 'spec.' + 'x'.repeat(100), 'container "app" has no cpu limit')]),
    ).toEqual(['[limits] container "app" has no cpu limit']);
  });

  it('keeps a message whole up to 256 characters, and cuts it there', () => {
    const long = 'word '.repeat(30).trim();
    expect(warningLines([v('p', 'spec', long)])).toEqual([`[p] ${long}`]);
    const [cut] = warningLines([v('p', 'spec', 'z'.repeat(300))]);
    expect(cut).toHaveLength(MAX_WARNING_HARD_CHARS);
    expect(cut!.endsWith('z…')).toBe(true);
  });

  it('keeps the total within 4 KiB', () => {
    const lines = warningLines(
      Array.from({ length: 100 }, (_, i) => v(`p${i}`, 'spec', 'z'.repeat(300))),
    );
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(MAX_WARNING_HARD_CHARS);
    expect(lines.join('').length).toBeLessThanOrEqual(MAX_WARNINGS_TOTAL);
    expect(lines[lines.length - 1]).toMatch(/^\+\d+ more warnings$/);
  });

  it('removes control characters, which cannot travel in HTTP headers', () => {
    expect(warningLines([v('p', '', 'a\nb\tc')])).toEqual(['[p] a b c']);
  });
});

describe('auditAnnotations', () => {
  it('keys by policy id and joins that policy messages', () => {
    expect(
      auditAnnotations([
        v('req-labels', 'metadata.labels', 'missing team'),
        v('req-labels', '', 'missing owner'),
      ]),
    ).toEqual({
      'req-labels': 'missing owner; metadata.labels: missing team',
    });
  });
});
