/** Jest in ESM mode (NestJS 12 ships ES modules only); @swc/jest strips types fast. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts', '.tsx'],
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    // the web app's component tests (web/src/**/*.test.tsx): TSX with React's automatic runtime
    '^.+\\.tsx$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // its ESM build imports JSON without an import attribute, which jest warns about on every load
    '^libphonenumber-js$': '<rootDir>/node_modules/libphonenumber-js/index.cjs',
  },
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/projections', '<rootDir>/web/src'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/web/src/**/*.test.ts', '**/web/src/**/*.test.tsx'],
  // web/src component tests run under jsdom (per-file docblock); this fills the globals it lacks
  setupFiles: ['<rootDir>/web/src/test/jsdom-globals.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
  // A worker's event loop is empty the moment it is told to end (its 'exit' event fires within
  // 1 ms), but tearing down a 550-770 MB e2e worker on 2 cores at load 20-30 can take longer than
  // jest's default 500 ms, which then kills it and prints "A worker process has failed to exit
  // gracefully". A real leak would still keep it alive past this bound and print the warning.
  workerGracefulExitTimeout: 5000,
  watchman: false,
};
