import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The bench measures the server users run: `bin/stedi.js serve`, from the
 * compiled `dist/`. A `dist/` missing or older than its sources is built
 * (`npm run build`) before any server starts, so a clean checkout benchmarks
 * its own code, never a stale build or ts-node's compiler.
 */

const ROOT = resolve(__dirname, '..');

/** What `npm run build` writes last of each step: tsc's CLI entry and the bundled web page. */
export const BUILD_OUTPUTS = ['dist/src/cli.js', 'dist/src/cluster/worker-main.js', 'dist/web/ide.js'];
/** What it compiles from: every file under these folders, and the compiler settings. */
export const BUILD_SOURCES = ['src', 'etl', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build-web.js'];

function newestUnder(path: string): { path: string; mtimeMs: number } | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return null;
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const name of readdirSync(path)) {
    const found = newestUnder(join(path, name));
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

/** Why `root`'s dist/ cannot be benchmarked as it is (missing, or a source newer than it), or null when it is up to date. */
export function distStaleness(root: string = ROOT): string | null {
  let oldestOutput = Infinity;
  for (const output of BUILD_OUTPUTS) {
    const stat = statSync(join(root, output), { throwIfNoEntry: false });
    if (!stat) return `${output} is missing`;
    oldestOutput = Math.min(oldestOutput, stat.mtimeMs);
  }
  for (const source of BUILD_SOURCES) {
    const newest = newestUnder(join(root, source));
    if (newest && newest.mtimeMs > oldestOutput) return `${newest.path.slice(root.length + 1)} is newer than dist/`;
  }
  return null;
}

/** Builds dist/ when it is stale; throws, saying to run `npm run build`, when the build fails or leaves it stale. */
export function ensureDist(log: (m: string) => void, root: string = ROOT, build: () => number | null = () => npmRunBuild(root)): void {
  const why = distStaleness(root);
  if (why === null) return;
  log(`building dist/ for the server (${why}): npm run build`);
  const status = build();
  const still = distStaleness(root);
  if (status !== 0 || still !== null) {
    throw new Error(`the bench runs the compiled server (bin/stedi.js) and dist/ is not up to date (${still ?? `npm run build exited with ${status}`}); run \`npm run build\` and fix what it reports`);
  }
}

function npmRunBuild(root: string): number | null {
  // Its output goes to stderr: stdout may be the bench's JSON.
  return spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] }).status;
}
