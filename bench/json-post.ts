import { Agent, request } from 'node:http';

/**
 * The bench's HTTP client: POSTs a JSON body and parses the JSON answer, for
 * stedi and the peer alike. By default `node:http` on kept-alive sockets: on
 * Node 20 `fetch` (undici) spends ~2.5 ms of the client's CPU on each request
 * (a `{ __typename }` answered in 1.9 ms through `http.request` took 4.6 ms
 * through `fetch`, same server), and a walk would count that as the server's.
 * `BENCH_HTTP_CLIENT=fetch` measures with `fetch`, as sessions before 14 did.
 */

export type BenchClient = 'http' | 'fetch';

export interface JsonAnswer {
  status: number;
  body: unknown;
}

export function benchClient(): BenchClient {
  const chosen = process.env.BENCH_HTTP_CLIENT ?? 'http';
  if (chosen !== 'http' && chosen !== 'fetch') throw new Error(`BENCH_HTTP_CLIENT must be http or fetch, got ${JSON.stringify(chosen)}`);
  return chosen;
}

/** Private: one pool of kept-alive sockets per bench process, as a notebook's session keeps one. */
const agent = new Agent({ keepAlive: true });

/** POSTs `body` as JSON to `url` (http only: the bench's servers listen on loopback); rejects when the answer is not JSON. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const text = JSON.stringify(body);
  if (benchClient() === 'fetch') {
    const response = await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: text });
    return { status: response.status, body: parsed(await response.text(), response.status) };
  }
  const target = new URL(url);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            resolvePromise({ status: res.statusCode ?? 0, body: parsed(Buffer.concat(chunks).toString('utf8'), res.statusCode ?? 0) });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function parsed(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`the answer (HTTP ${status}) is not JSON: ${text.slice(0, 200)}`);
  }
}

/** Whether a request failed because nothing listens there (a server still starting), whichever client sent it. */
export function refused(error: unknown): boolean {
  const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code === 'ECONNREFUSED';
}
