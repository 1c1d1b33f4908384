const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/tests/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.ts',
  testTimeout: 60000,
  // A worker per core (Jest's default leaves one core free, so 2 cores run in band): suites spend half their time
  // waiting on child processes, servers and DuckDB, and two at once halve CI's 16 minutes on 2 cores. At most 4: each
  // suite starts servers, builds and DuckDB thread pools of its own, and the timed ones (erasure bounds) need room.
  maxWorkers: Math.min(4, availableParallelism()),
};
