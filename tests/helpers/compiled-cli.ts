import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** The newest modification time of a .ts file under `dir`, 0 when there is none. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/ is missing or older than a source it compiles (tsc rewrites every output, cli.js included). */
export function compiledCliIsStale(root = ROOT): boolean {
  const compiled = statSync(resolve(root, 'dist', 'src', 'cli.js'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  return compiled < Math.max(newestSource(resolve(root, 'src')), newestSource(resolve(root, 'etl')));
}

/**
 * Compiles src/ and etl/ into dist/ again when it is stale, so the CLI suites (bin/stedi.js runs dist/) test the code
 * in the tree rather than whatever was built last. Returns whether it compiled; throws with tsc's output if it fails.
 */
export function ensureCompiledCli(): boolean {
  if (!compiledCliIsStale()) return false;
  const tsc = require.resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`dist/ is older than src/ or etl/, and compiling it again failed:\n${run.stdout}${run.stderr}`);
  return true;
}
