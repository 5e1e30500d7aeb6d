import { quantityMiB } from '../../../bench/chart-resources';

it.each([
  ['256Mi', 256],
  ['1Gi', 1024],
  ['512Ki', 0.5],
  ['268435456', 256],
  ['1G', 1e9 / 2 ** 20],
  ['0.5Gi', 512],
])('reads the memory quantity %s as %d MiB', (q, mib) => {
  expect(quantityMiB(q)).toBeCloseTo(mib, 6);
});

it.each(['256MB', 'lots', '1Ti', ''])('refuses the quantity %j', (q) => {
  expect(() => quantityMiB(q)).toThrow(`unsupported memory quantity ${JSON.stringify(q)}`);
});
