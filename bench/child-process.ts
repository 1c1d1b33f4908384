import { type ChildProcess, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * Child processes for work measured on its own (a build's peak memory, the
 * server under load): TypeScript entry points run through ts-node's
 * transpile-only hook, compiled by swc (tsconfig.json), and talk to the
 * bench over the IPC channel.
 */

const ROOT = resolve(__dirname, '..');

/** BENCH_CPU_PROF=<dir>: every child writes a V8 CPU profile there when it exits (open it in Chrome DevTools). */
export const profiling = (): string[] => (process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF)}`] : []);

/**
 * The runtime defaults bin/stedi.js sets before anything loads, so a child runs
 * as `stedi build` or `stedi serve` would; the bench's own environment overrides them.
 */
export const CLI_RUNTIME_ENV = {
  NODE_ENV: process.env.NODE_ENV || 'production',
  UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE || '16',
};

export function forkTs(entry: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return fork(resolve(__dirname, entry), args, {
    cwd: ROOT,
    execArgv: ['-r', 'ts-node/register/transpile-only', ...profiling()],
    env: { ...process.env, ...CLI_RUNTIME_ENV, TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true', ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
}

/** The first IPC message of `type` from `child`; rejects if the child exits or reports an error first. */
export function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    let stderr = '';
    const onData = (chunk: Buffer): void => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    };
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.stderr?.off('data', onData);
    };
    const onMessage = (message: { type?: string; error?: string } & T): void => {
      if (message.type === 'error') {
        done();
        reject(new Error(message.error ?? 'the child failed'));
      } else if (message.type === type) {
        done();
        resolvePromise(message);
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(new Error(`the child exited (${signal ?? code}) before sending ${type}: ${stderr.trim().split('\n').slice(-5).join(' / ')}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${type} from the child within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
    child.stderr?.on('data', onData);
  });
}

/** Ends `child` (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
export async function endChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** The resident memory of a process now, from /proc (Linux); null where that is not readable. */
export async function residentBytes(pid: number): Promise<number | null> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}
