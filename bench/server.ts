import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { endChild, forkTs, nextMessage, residentBytes } from './child-process';
import { treePss } from './peer/process-memory';

/**
 * A server on a lake, in its own process (so load generation and the server
 * do not share an event loop, and its memory is its own), on 127.0.0.1 only,
 * with an admin and an analyst key made for this run.
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

/** `env`: settings of this server only (e.g. STEDI_QUERY_CACHE_ROWS=0 for a server without its read cache). */
export async function startServer(options: { lake: string; landing: string; log: (m: string) => void; env?: NodeJS.ProcessEnv }): Promise<BenchServer> {
  const adminKey = randomBytes(24).toString('base64url');
  const analystKey = randomBytes(24).toString('base64url');
  const child = forkTs('server-child.ts', [options.lake, options.landing], {
    STEDI_API_KEYS: `${adminKey}:admin,${analystKey}:analyst`,
    // The server logs as configured by default (LOG_LEVEL); BENCH_SERVER_LOG_LEVEL overrides it for the bench only.
    ...(process.env.BENCH_SERVER_LOG_LEVEL ? { LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL } : {}),
    ...options.env,
  });
  let url: string;
  try {
    ({ url } = await nextMessage<{ url: string }>(child, 'listening', START_TIMEOUT_MS));
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
    residentBytes: async () => (await treePss([pid]).then((m) => m.pssBytes, () => null)) ?? (await residentBytes(pid)) ?? (await askMemory(child)),
    isAlive: () => child.exitCode === null && child.signalCode === null,
    stop: () => endChild(child, 15_000),
  };
}

async function askMemory(child: ChildProcess): Promise<number> {
  const reply = nextMessage<{ rss: number }>(child, 'memory', 5_000);
  child.send({ type: 'memory' });
  return (await reply).rss;
}

export async function postGraphql<T>(url: string, key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphqlResult<T>;
  if (!response.ok || body.errors?.length || !body.data) {
    const first = body.errors?.[0];
    throw new GraphqlError(`GraphQL request failed (HTTP ${response.status}): ${first ? `${first.extensions?.code ?? ''} ${first.message}` : 'no data'}`);
  }
  return body.data;
}
