/** Jest in ESM mode (NestJS 12 ships ES modules only); @swc/jest strips types fast. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // its ESM build imports JSON without an import attribute, which jest warns about on every load
    '^libphonenumber-js$': '<rootDir>/node_modules/libphonenumber-js/index.cjs',
  },
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/projections'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
  watchman: false,
};
