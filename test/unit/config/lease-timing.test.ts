// audit.lease timings that could let two leaders act at once are refused when the config is
// loaded, naming the field; the defaults (client-go's) pass.
import { validateConfig } from '../../../src/config/load';
import { leaseTimingProblem } from '../../../src/config/lease-timing';

it.each([
  [
    { durationSeconds: 10, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
    /^renewDeadlineSeconds \(10\) must be less than durationSeconds \(10\)$/,
  ],
  [
    { durationSeconds: 15, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 },
    /^retryPeriodSeconds × 1.2 \(2.4\) must be less than renewDeadlineSeconds \(2\)$/,
  ],
])('leaseTimingProblem(%j)', (timing, message) => {
  expect(leaseTimingProblem(timing)).toMatch(message);
});

it('accepts the defaults and short test timings', () => {
  expect(validateConfig('c.yaml', {}).audit.lease).toMatchObject({
    durationSeconds: 15,
    renewDeadlineSeconds: 10,
    retryPeriodSeconds: 2,
  });
  expect(
    leaseTimingProblem({ durationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 }),
  ).toBeUndefined();
});

it('refuses a config whose audit.lease cannot keep one leader, naming the field', () => {
  let err: unknown;
  try {
    validateConfig('c.yaml', {
      audit: { lease: { durationSeconds: 10, renewDeadlineSeconds: 12 } },
    });
  } catch (e) {
    err = e;
  }
  expect(err).toMatchObject({ code: 'PAL_ERR_CONFIG_INVALID' });
  expect((err as Error).message).toContain(
    '/audit/lease: renewDeadlineSeconds (12) must be less than durationSeconds (10)',
  );
});
