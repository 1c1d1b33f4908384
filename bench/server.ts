import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CLI_RUNTIME_ENV, endChild, profiling, residentBytes } from './child-process';
import { ensureDist } from './dist-build';
import { postJson } from './json-post';
import { treePss } from './peer/process-memory';

/**
 * A server on a lake as users run it: `bin/stedi.js serve` from the compiled
 * dist/ (built first when stale), in its own processes (so load generation and
 * the server do not share an event loop, and its memory is its own), on
 * 127.0.0.1 only, with an admin and an analyst key made for this run.
 */

export interface GraphqlResult<T> {
  data?: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export class GraphqlError extends Error {}

export interface BenchServer {
  url: string;
  pid: number;
  adminKey: string;
  analystKey: string;
  child: ChildProcess;
  /** POSTs a GraphQL document with the admin key; throws on an HTTP or GraphQL error. */
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** The server's memory now, in bytes: the PSS sum of its processes (primary and cluster workers), else the process's RSS. */
  residentBytes(): Promise<number>;
  isAlive(): boolean;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;
const ROOT = resolve(__dirname, '..');

/** The URL in the line `stedi serve` prints once it listens (`Serving <lake> at <url>/graphql`); null for any other line. */
export function servingUrl(line: string): string | null {
  return /^Serving .* at (https?:\/\/\S+)\/graphql$/.exec(line.trim())?.[1] ?? null;
}

/** `env`: settings of this server only (e.g. STEDI_QUERY_CACHE_ROWS=0 for a server without its read cache). */
export async function startServer(options: { lake: string; landing: string; log: (m: string) => void; env?: NodeJS.ProcessEnv }): Promise<BenchServer> {
  ensureDist(options.log);
  const adminKey = randomBytes(24).toString('base64url');
  const analystKey = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, [...profiling(), resolve(ROOT, 'bin', 'stedi.js'), 'serve', '--lake', options.lake, '--landing', options.landing, '--port', '0'], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...CLI_RUNTIME_ENV,
      HOST: '127.0.0.1',
      STEDI_API_KEYS: `${adminKey}:admin,${analystKey}:analyst`,
      // The server logs as configured by default (LOG_LEVEL); BENCH_SERVER_LOG_LEVEL overrides it for the bench only.
      ...(process.env.BENCH_SERVER_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let url: string;
  try {
    url = await servingLine(child, START_TIMEOUT_MS);
  } catch (error) {
    await endChild(child);
    throw error;
  }
  options.log(`server pid ${child.pid} listening at ${url}`);
  const pid = child.pid as number;
  return {
    url,
    pid,
    adminKey,
    analystKey,
    child,
    graphql: (query, variables) => postGraphql(url, adminKey, query, variables),
    residentBytes: async () => {
      const bytes = (await treePss([pid]).then((m) => m.pssBytes, () => null)) ?? (await residentBytes(pid));
      if (bytes === null) throw new Error(`the memory of server pid ${pid} is not readable (/proc)`);
      return bytes;
    },
    isAlive: () => child.exitCode === null && child.signalCode === null,
    stop: () => endChild(child, 15_000),
  };
}

/** The server's URL from its stdout (its log lines are read and dropped, so the pipe never fills); rejects if it exits or takes too long. */
function servingLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolvePromise, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('exit', onExit);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      done();
      reject(new Error(`the server exited (${signal ?? code}) before listening: ${stderr.trim().split('\n').slice(-5).join(' / ')}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the server did not listen within ${timeoutMs} ms`));
    }, timeoutMs);
    lines.on('line', (line) => {
      const url = servingUrl(line);
      if (url === null) return;
      done();
      resolvePromise(url);
    });
    child.once('exit', onExit);
  });
}

export async function postGraphql<T>(url: string, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { status, body: answer } = await postJson(`${url}/graphql`, { query, variables }, { authorization: `Bearer ${key}` });
  const body = answer as GraphqlResult<T>;
  if (status < 200 || status > 299 || body.errors?.length || !body.data) {
    const first = body.errors?.[0];
    throw new GraphqlError(`GraphQL request failed (HTTP ${status}): ${first ? `${first.extensions?.code ?? ''} ${first.message}` : 'no data'}`);
  }
  return body.data;
}
