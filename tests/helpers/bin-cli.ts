import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `bin/stedi.js <args>` as a user runs it: a real process over dist/ (run
 * `npm run build` first). Only the given environment reaches it.
 */
const ROOT = resolve(__dirname, '..', '..');
const BIN = resolve(ROOT, 'bin', 'stedi.js');

export interface BinRun {
  stdout: string;
  stderr: string;
  status: number | null;
}

export function runBin(args: string[], env: Record<string, string> = {}): BinRun {
  if (!existsSync(resolve(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build` before the CLI tests');
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, encoding: 'utf8', timeout: 120_000 });
  return { stdout: run.stdout, stderr: run.stderr, status: run.status };
}
