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
  // A worker runs a hundred suites or more, and its heap grows with each (native modules such as DuckDB's are loaded
  // once per process and keep what earlier suites' contexts handed them): one reached V8's 4 GB limit and crashed at
  // 700 s. A worker whose heap is over this after a suite is replaced by a fresh one (a second or so).
  workerIdleMemoryLimit: '1GB',
};
