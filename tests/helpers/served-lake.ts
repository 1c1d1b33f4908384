import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ADMIN_KEY, ANALYST_KEY } from './http-app';
import { type CliProcess, type RunAs, spawnBin } from './spawn-cli';

/** `bin/stedi.js serve` on a free port with the test keys, as a user would start it. */
export interface ServedLake {
  url: string;
  process: CliProcess;
  /** POSTs a GraphQL document with the analyst key (or `key`); returns the parsed body. */
  graphql(query: string, key?: string): Promise<{ data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readyz(): Promise<{ status: number; body: { status: string; reason?: string; version?: string } }>;
  stop(): Promise<void>;
}

export async function serveLake(args: string[], env: Record<string, string> = {}, as: RunAs = {}): Promise<ServedLake> {
  const proc = spawnBin(['serve', ...args], { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', STEDI_API_KEYS: `${ADMIN_KEY}:admin,${ANALYST_KEY}:analyst`, ...env }, as);
  const [, url] = await proc.waitFor(/Serving \S+ at (http:\/\/127\.0\.0\.1:\d+)\/graphql/, 60_000);
  return {
    url,
    process: proc,
    async graphql(query, key = ANALYST_KEY) {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query }) });
      return (await res.json()) as never;
    },
    async readyz() {
      const res = await fetch(`${url}/readyz`);
      return { status: res.status, body: (await res.json()) as never };
    },
    async stop() {
      proc.child.kill('SIGTERM');
      await proc.exited;
    },
  };
}

/** Polls /readyz until it answers 200 (or gives up with the last reason). */
export async function untilReady(served: ServedLake, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await served.readyz();
    if (status === 200) return body.version!;
    if (Date.now() > end) throw new Error(`never ready: ${body.reason}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every file under `dir` with its size and mtime: equal snapshots mean nothing was written. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const stats = statSync(path);
      out[relative(dir, path)] = entry.isDirectory() ? `dir ${stats.mtimeMs}` : `${stats.size} ${stats.mtimeMs}`;
      if (entry.isDirectory()) walk(path);
    }
  };
  walk(dir);
  return out;
}

