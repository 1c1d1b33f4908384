const { availableParallelism } = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // swc compiles each file in a fraction of ts-jest's time (every worker compiles what its suites import, from a cold
  // cache on CI); the type check is `npm run typecheck`. Options as tsconfig.json: type-graphql reads decorator metadata.
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    }],
  },
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
