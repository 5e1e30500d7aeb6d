// The build settings palisade build and palisade test take from the environment.
import { buildEnv } from '../../../src/cli/commands/build';

it('takes OPA_OPTIMIZE, SOURCE_DATE_EPOCH and PALISADE_AGGREGATOR_OUT', () => {
  expect(
    buildEnv({ OPA_OPTIMIZE: '1', SOURCE_DATE_EPOCH: '1700000000', PALISADE_AGGREGATOR_OUT: 'a' }),
  ).toEqual({
    optimize: 1,
    builtAt: new Date('2023-11-14T22:13:20.000Z'),
    aggregatorOut: 'a',
  });
});

it('leaves the defaults to the build when they are unset or empty', () => {
  expect(buildEnv({})).toEqual({});
  expect(buildEnv({ OPA_OPTIMIZE: '', SOURCE_DATE_EPOCH: '' })).toEqual({});
});

it.each([
  [{ OPA_OPTIMIZE: '3' }, 'OPA_OPTIMIZE must be 0, 1 or 2, not "3"'],
  [{ SOURCE_DATE_EPOCH: 'yesterday' }, 'SOURCE_DATE_EPOCH must be seconds since 1970'],
])('refuses %j as a usage error', (env, message) => {
  expect(() => buildEnv(env)).toThrow(
    expect.objectContaining({ code: 'PAL_CLI_USAGE', message: expect.stringContaining(message) }),
  );
});
