/**
 * The real vendor specs of ../shared/specs, imported one by one: `npm run test:specs`. Kept out of `npm test`
 * (minutes of CPU on two cores); needs no Temporal server.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/specs'],
  testMatch: ['**/*.test.ts'],
  transform: base.transform,
  transformIgnorePatterns: base.transformIgnorePatterns,
  setupFiles: ['<rootDir>/test/setup-structured-clone.ts'],
  // The largest specs take seconds each, and a few hundred MB: two at a time on two cores.
  testTimeout: 120_000,
  maxWorkers: 2,
  // Read by the suite: under the main config it only says how to run it.
  globals: { realSpecs: true },
};
