import { extname } from 'node:path';

/**
 * The Node options for a child running `entry` (a file beside the caller, .js
 * or .ts): this process's own options without a script given on the command
 * line (`-e`, `-p`), plus ts-node when running from the TypeScript sources
 * (tests, the bench) without it.
 */
export function childExecArgv(entry: string): string[] {
  const argv: string[] = [];
  const own = process.execArgv;
  for (let i = 0; i < own.length; i += 1) {
    const option = own[i]!;
    if (['-e', '--eval', '-p', '--print'].includes(option)) {
      i += 1;
      continue;
    }
    if (/^--(eval|print)=/.test(option)) continue;
    argv.push(option);
  }
  if (extname(entry) === '.ts' && !argv.some((a) => a.includes('ts-node'))) argv.push('-r', 'ts-node/register/transpile-only');
  return argv;
}

/**
 * A cluster worker's Node options: `childExecArgv`, plus the semi-space cap
 * unless the command line already sets one (the user's choice wins), and
 * `--expose-gc` when it runs idle collections.
 */
export function workerExecArgv(entry: string, semiSpaceMb: number, exposeGc = false): string[] {
  const argv = childExecArgv(entry);
  if (semiSpaceMb > 0 && !argv.some((a) => /^--max[-_]semi[-_]space[-_]size\b/.test(a))) argv.push(`--max-semi-space-size=${semiSpaceMb}`);
  // The idle collection (idle-collection.ts) calls V8's gc(); exposed at start, it needs no context of its own.
  if (exposeGc && !argv.some((a) => /^--expose[-_]gc$/.test(a))) argv.push('--expose-gc');
  return argv;
}
