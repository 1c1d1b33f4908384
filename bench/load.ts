import autocannon from 'autocannon';

/**
 * A bounded load run with autocannon: `connections` clients for `seconds`,
 * then it stops by itself. Every answer is checked: a non-2xx status or a
 * GraphQL `errors` member counts as an error.
 */

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Bodies sent in turn, one per request (e.g. one per serial number). */
  bodies?: string[];
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
}

export async function runLoad(url: string, request: LoadRequest, options: { connections: number; seconds: number }): Promise<LoadResult> {
  let errors = 0;
  let next = 0;
  const bodies = request.bodies;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: request.method,
        path: request.path,
        headers: request.headers,
        ...(bodies && bodies.length > 0
          ? {
              setupRequest: (req: autocannon.Request) => {
                req.body = bodies[next % bodies.length];
                next += 1;
                return req;
              },
            }
          : {}),
        onResponse: (status: number, body: string) => {
          if (status < 200 || status >= 300 || body.includes('"errors"')) errors += 1;
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.requests.total > 0 ? result.latency.p50 : options.seconds * 1000,
    // No answer at all within the run: every request took longer than the run, which is all a percentile can say.
    p99Ms: result.requests.total > 0 ? result.latency.p99 : options.seconds * 1000,
    requests: result.requests.total,
    // Connection errors (timeouts included) are failed requests too.
    errors: errors + result.errors,
  };
}
