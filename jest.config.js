/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // One Temporal dev server for the whole run; each test file brings its own workers on its own task queues.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
  // Several files start Temporal workers (native threads, bundling); two cores cannot run many at once.
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/setup-logging.ts'],
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
