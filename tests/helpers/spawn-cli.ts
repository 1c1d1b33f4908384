import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `stedi <args>` in a child process through `bin/stedi.js`, as users run it,
 * for what only a real process shows: signals, exit codes, a server that keeps
 * running.
 */
const ROOT = resolve(__dirname, '..', '..');

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

export const STEDI_BIN = resolve(ROOT, 'bin', 'stedi.js');

/**
 * How a child runs: as another user (`uid`/`gid`, when the tests run as root), from another folder (`cwd`; default the
 * repository), under a lower open-file limit (`openFiles`: its shell's `ulimit -n`).
 */
export interface RunAs {
  uid?: number;
  gid?: number;
  cwd?: string;
  openFiles?: number;
}

/** `bin/stedi.js <args>` as users run it (the compiled CLI: `npm run build` first). */
export function spawnBin(args: string[], env: Record<string, string | undefined> = {}, as: RunAs = {}): CliProcess {
  if (!existsSync(resolve(ROOT, 'dist', 'src', 'cli.js'))) throw new Error('bin/stedi.js needs the compiled CLI: run `npm run build` first');
  const { openFiles, ...user } = as;
  // exec: the shell becomes stedi, so the test's signals reach it.
  const [command, argv] = openFiles === undefined ? [process.execPath, [STEDI_BIN, ...args]] : ['sh', ['-c', `ulimit -n ${openFiles} && exec "$0" "$@"`, process.execPath, STEDI_BIN, ...args]];
  const child = spawn(command, argv, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv,
    ...user,
  });
  return watch(child);
}

/** Runs `bin/stedi.js <args>` to the end. */
export async function runBin(args: string[], env: Record<string, string | undefined> = {}, as: RunAs = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnBin(args, env, as);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

function watch(child: ChildProcessWithoutNullStreams): CliProcess {
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    waiters.forEach((w) => w());
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // 'close', not 'exit': by then everything the process printed has been read.
  const exited = new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 45_000) {
      return new Promise((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`timed out waiting for ${pattern}; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        const check = (): void => {
          const match = out.match(pattern);
          if (match) {
            clearTimeout(timer);
            done(match);
          }
        };
        waiters.push(check);
        void exited.then(() => {
          check();
          fail(new Error(`the process exited before printing ${pattern}; stdout:\n${out}\nstderr:\n${err}`));
        });
        check();
      });
    },
  };
}
