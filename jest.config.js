/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The real vendor specs have their own, slower run: npm run test:specs.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/specs/'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // ESM-only packages (@scalar/openapi-parser and its ESM dependencies, oauth4webapi) are transformed to CommonJS like our code.
  transformIgnorePatterns: ['/node_modules/(?!(@scalar|leven|pathe|oauth4webapi)/)'],
  // One Temporal dev server for the whole run; each test file brings its own workers on its own task queues.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  // Several files start Temporal workers (native threads, bundling); two cores cannot run many at once.
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/setup-logging.ts', '<rootDir>/test/setup-structured-clone.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
