import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { endChild } from '../child-process';
import { type JsonAnswer, postJson, refused } from '../json-post';

/**
 * PostGraphile 4 (a dev dependency) over the peer's database, as its docs run
 * it in production: the CLI, `NODE_ENV=production`, no mutations, loopback only.
 */
export interface PostGraphilePeer {
  url: string;
  pid: number;
  graphql<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  stop(): Promise<void>;
}

export async function startPostGraphile(databaseUrl: string, port: number, log: (m: string) => void): Promise<PostGraphilePeer> {
  const cli = resolve(__dirname, '..', '..', 'node_modules', 'postgraphile', 'cli.js');
  const child: ChildProcess = spawn(process.execPath, ['-r', resolve(__dirname, 'graphql15.js'), cli, '-c', databaseUrl, '--schema', 'public', '--disable-default-mutations', '--disable-query-log', '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  const graphql = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const request = (): Promise<JsonAnswer> => postJson(`${url}/graphql`, { query, variables });
    // A read is safe to send again: once, when the connection failed before any answer (a kept-alive socket the peer closed while idle).
    const response = await request().catch((error: unknown) => {
      if (child.exitCode !== null) throw new Error(`PostGraphile exited (${child.exitCode}): ${stderr}`, { cause: error });
      // Nothing listening yet (the start-up poll below): not a failure to retry.
      if (refused(error)) throw error;
      log(`PostGraphile request failed before an answer (${String((error as Error).cause ?? error)}); sending it again`);
      return request();
    });
    const body = response.body as { data?: T; errors?: Array<{ message: string }> };
    if (response.status < 200 || response.status > 299 || body.errors?.length || !body.data) throw new Error(`PostGraphile request failed (HTTP ${response.status}): ${body.errors?.[0]?.message ?? 'no data'}`);
    return body.data;
  };
  for (let waited = 0; ; waited += 250) {
    if (child.exitCode !== null) throw new Error(`PostGraphile exited (${child.exitCode}): ${stderr}`);
    try {
      await graphql('{ __typename }');
      break;
    } catch (error) {
      if (waited > 60_000) {
        await endChild(child);
        throw new Error(`PostGraphile did not answer within 60 s: ${(error as Error).message} ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  log(`PostGraphile pid ${child.pid} listening at ${url}`);
  return { url, pid: child.pid as number, graphql, stop: () => endChild(child, 15_000) };
}
