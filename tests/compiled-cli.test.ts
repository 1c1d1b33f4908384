import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compiledCliIsStale } from './helpers/compiled-cli';
import { makeTempDir } from './helpers/landing-fixture';

/** A tree with one source in each compiled folder and a compiled CLI, each written at the given second. */
function tree(times: { src: number; etl: number; compiled?: number }): string {
  const root = makeTempDir();
  const write = (path: string, seconds: number): void => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
    utimesSync(join(root, path), seconds, seconds);
  };
  write('src/http/server.ts', times.src);
  write('etl/engine/engine.ts', times.etl);
  write('src/http/web/lake.js', times.src + 1_000); // not compiled by tsc: never makes dist/ stale
  if (times.compiled !== undefined) write('dist/src/cli.js', times.compiled);
  return root;
}

describe('the compiled CLI the CLI suites run (global-setup.ts compiles it again when stale)', () => {
  it('is stale when a source under src/ or etl/ is newer than dist/', () => {
    expect(compiledCliIsStale(tree({ src: 2_000, etl: 1_000, compiled: 1_500 }))).toBe(true);
    expect(compiledCliIsStale(tree({ src: 1_000, etl: 2_000, compiled: 1_500 }))).toBe(true);
  });

  it('is stale when dist/ is missing', () => {
    expect(compiledCliIsStale(tree({ src: 1_000, etl: 1_000 }))).toBe(true);
  });

  it('is fresh when dist/ was compiled after every TypeScript source', () => {
    expect(compiledCliIsStale(tree({ src: 1_000, etl: 1_200, compiled: 1_500 }))).toBe(false);
  });
});
