import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILD_OUTPUTS, distStaleness, ensureDist } from '../../bench/dist-build';
import { servingUrl } from '../../bench/server';

/** A checkout with sources and a dist/, every file dated `seconds` after the epoch unless touched later. */
function checkout(): { root: string; touch(path: string, seconds: number): void; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'stedi-dist-check-'));
  const touch = (path: string, seconds: number): void => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '// file\n');
    utimesSync(file, seconds, seconds);
  };
  for (const source of ['src/cli.ts', 'src/http/web/lake.css', 'etl/build.ts', 'tsconfig.json', 'tsconfig.build.json']) touch(source, 1_000);
  for (const output of BUILD_OUTPUTS) touch(output, 2_000);
  return { root, touch, remove: () => rmSync(root, { recursive: true, force: true }) };
}

describe("the bench's compiled server (dist/)", () => {
  it('is up to date when every output is newer than every source', () => {
    const c = checkout();
    try {
      expect(distStaleness(c.root)).toBeNull();
    } finally {
      c.remove();
    }
  });

  it('is stale when an output is missing, naming it', () => {
    const c = checkout();
    try {
      rmSync(join(c.root, 'dist/web/ide.js'));
      expect(distStaleness(c.root)).toBe('dist/web/ide.js is missing');
    } finally {
      c.remove();
    }
  });

  it('is stale when a source deep in a folder, or the compiler settings, changed after the oldest output', () => {
    const c = checkout();
    try {
      c.touch('etl/engine/duckdb/new-file.ts', 3_000);
      expect(distStaleness(c.root)).toBe('etl/engine/duckdb/new-file.ts is newer than dist/');
      c.touch('etl/engine/duckdb/new-file.ts', 1_500);
      c.touch('dist/src/cli.js', 1_400);
      expect(distStaleness(c.root)).toBe('etl/engine/duckdb/new-file.ts is newer than dist/');
      c.touch('dist/src/cli.js', 2_000);
      c.touch('tsconfig.build.json', 2_500);
      expect(distStaleness(c.root)).toBe('tsconfig.build.json is newer than dist/');
    } finally {
      c.remove();
    }
  });

  it('builds only when stale, and fails saying to run npm run build when the build does not bring it up to date', () => {
    const c = checkout();
    try {
      const build = jest.fn(() => 0);
      ensureDist(() => undefined, c.root, build);
      expect(build).not.toHaveBeenCalled();

      c.touch('src/cli.ts', 3_000);
      const log: string[] = [];
      ensureDist((m) => log.push(m), c.root, () => {
        for (const output of BUILD_OUTPUTS) c.touch(output, 4_000);
        return 0;
      });
      expect(log).toEqual(['building dist/ for the server (src/cli.ts is newer than dist/): npm run build']);
      expect(distStaleness(c.root)).toBeNull();

      c.touch('src/cli.ts', 5_000);
      expect(() => ensureDist(() => undefined, c.root, () => 2)).toThrow(/src\/cli\.ts is newer than dist\/\); run `npm run build`/);
      const failingBuild = (): number => {
        for (const output of BUILD_OUTPUTS) c.touch(output, 6_000);
        return 2;
      };
      expect(() => ensureDist(() => undefined, c.root, failingBuild)).toThrow(/\(npm run build exited with 2\); run `npm run build`/);
      c.touch('src/cli.ts', 7_000);
      // A build that exits 0 but leaves an output behind is not taken as done.
      expect(() => ensureDist(() => undefined, c.root, () => 0)).toThrow(/src\/cli\.ts is newer than dist\/\); run `npm run build`/);
    } finally {
      c.remove();
    }
  });
});

describe("reading the URL of the bench's server", () => {
  it('takes it from the line stedi serve prints, and from no log line', () => {
    expect(servingUrl('Serving /tmp/a lake at x/lake at http://127.0.0.1:40123/graphql\n')).toBe('http://127.0.0.1:40123');
    expect(servingUrl('{"level":30,"msg":"listening","url":"http://127.0.0.1:1/graphql"}')).toBeNull();
    expect(servingUrl('Serving /tmp/lake at http://127.0.0.1:4000/graphql and more')).toBeNull();
  });
});
