import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * What a process loads is memory it holds for its lifetime (issue 11: every
 * server worker and the cluster's primary). The compiled CLI and server, as
 * `bin/stedi.js` runs them (needs `npm run build`), load DuckDB only for a
 * query, the AWS SDK only for an Athena lake and the pretty-printer only for a terminal;
 * of class-validator, only the rules the arguments use.
 */

const ROOT = resolve(__dirname, '..', '..');

/** The node_modules packages loaded after running `script` in a fresh Node on dist/. */
function loadedPackages(script: string): string[] {
  const code = `(async () => { ${script} })().then(() => console.log(JSON.stringify(Object.keys(require.cache))))`;
  const run = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } });
  if (run.status !== 0) throw new Error(run.stderr);
  const last = run.stdout.trim().split('\n').pop() as string;
  return (JSON.parse(last) as string[]).map((file) => /node_modules\/((@[^/]+\/)?[^/]+)/.exec(file)?.[1]).filter((p): p is string => p !== undefined);
}

describe('modules a DuckDB server process loads', () => {
  it('include DuckDB once an engine answers a query', () => {
    const packages = loadedPackages(
      "const { openEngine } = require('./dist/etl/engine/open-engine.js'); const engine = await openEngine({ kind: 'duckdb', lake: require('node:os').tmpdir(), lazy: true }); await engine.manifest(); if (Object.keys(require.cache).some((f) => f.includes('@duckdb'))) throw new Error('loaded before a query'); await engine.query('SELECT 1'); await engine.close()",
    );
    expect(packages).toContain('@duckdb/node-api');
  });

  it('include no AWS SDK and no pretty-printer in the CLI, the server and a cluster worker', () => {
    const packages = loadedPackages(
      "require('reflect-metadata'); require('./dist/src/cli.js'); require('./dist/src/http/server.js'); require('./dist/src/cluster/primary.js'); require('./dist/src/logger.js').createLogger('info', false)",
    );
    expect(packages).toEqual(expect.arrayContaining(['@apollo/server', 'type-graphql', 'pino', 'class-validator']));
    // DuckDB loads with the first query: a cluster's primary, which queries nothing, never holds it.
    // class-validator's index would load every rule it has, IsPhoneNumber with libphonenumber-js's metadata (~3 MiB of heap a process).
    expect(packages.filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/') || p === 'pino-pretty' || p.startsWith('@duckdb/') || p === 'libphonenumber-js')).toEqual([]);
  });

  it('include no prom-client in the CLI and a cluster primary until a worker asks for the summed metrics', () => {
    const packages = loadedPackages("require('reflect-metadata'); require('./dist/src/cli.js'); require('./dist/src/cluster/primary.js')");
    // ~3 MiB of an idle primary: its aggregator loads with the first /metrics (primary.ts).
    expect(packages).toEqual(expect.arrayContaining(['commander', 'pino']));
    expect(packages.filter((p) => p === 'prom-client' || p.startsWith('@opentelemetry/'))).toEqual([]);
    // Nor GraphQL: the primary serves no request (a worker's failed rebuild request loads its error mapping then).
    expect(packages.filter((p) => p === 'graphql' || p === 'type-graphql')).toEqual([]);
  });

  it('load the AWS SDK when an Athena engine is opened, and the pretty-printer for a terminal', () => {
    const packages = loadedPackages(
      "const open = require('./dist/etl/engine/open-engine.js'); require('./dist/src/logger.js').createLogger('info', true); await (await open.openEngine({ kind: 'athena', lake: 's3://bucket/lake', region: 'us-east-1' })).close()",
    );
    expect(packages).toEqual(expect.arrayContaining(['pino-pretty', '@aws-sdk/client-athena']));
  });
});
