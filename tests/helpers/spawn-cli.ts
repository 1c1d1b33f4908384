import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * `stedi <args>` in a child process, run from the TypeScript sources (no
 * build step), for what only a real process shows: signals, exit codes, a
 * server that keeps running.
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

export function spawnCli(args: string[], env: Record<string, string | undefined>): CliProcess {
  const code = "require('./src/cli').main(['node', 'stedi', ...process.argv.slice(1)])";
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code, '--', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'), ...env } as NodeJS.ProcessEnv,
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    waiters.forEach((w) => w());
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
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
