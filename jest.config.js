// Three projects: unit tests (pure, fast), integration tests (real HTTPS, real compiled bundle) and
// e2e tests (a real kube-apiserver + etcd calling Palisade, driven by kubectl). The bundle is built
// by `npm run build` before jest runs; the e2e project needs the local cluster, which
// scripts/test.sh and `npm run test:e2e` start (scripts/cluster.sh) before jest and stop after.
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The local cluster's etcd keeps *.snap files under .tools/: not Jest snapshots.
  modulePathIgnorePatterns: ['<rootDir>/.tools/'],
};

module.exports = {
  // Jest ignores testTimeout inside a project (jestjs/jest#9759), so it is set once here. Real
  // servers, builds and apiserver round trips on a 2-core machine that may be busy need room;
  // this bounds a hung test, it measures nothing.
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'chart',
      // helm template/lint with the pinned helm and helm4 (scripts/tools.sh helm helm4), parsed
      // and asserted on; the chart's objects through the engine on the compiled bundle.
      testMatch: ['<rootDir>/test/chart/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'image',
      // The Dockerfile's steps run outside Docker (npm ci, go build of opa, the bundle): minutes
      // on a first run.
      testMatch: ['<rootDir>/test/image/**/*.test.ts'],
      testTimeout: 900_000,
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
};
