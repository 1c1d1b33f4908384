import type { Request } from 'express';

/**
 * Where a request without an Authorization header carried a key instead: a header other APIs read (X-API-Key), or
 * the URL (?api_key=). The 401 names it: "an API key is required" read as if the key sent were missing or wrong.
 */
const KEY_HEADERS = ['x-api-key', 'api-key', 'apikey', 'x-auth-token', 'x-access-token'];
const KEY_PARAMETERS = ['api_key', 'apikey', 'api-key', 'key', 'token', 'access_token'];

export function misplacedKey(req: Request): string | undefined {
  const header = KEY_HEADERS.find((name) => req.headers[name] !== undefined);
  if (header) return `the key was sent in the ${header} header, which this server does not read: send it in the header "Authorization: Bearer <key>"`;
  const parameter = KEY_PARAMETERS.find((name) => (req.query as Record<string, unknown>)[name] !== undefined);
  // Logs, proxies and browser history keep URLs: the key is not taken from one.
  if (parameter) return `the key was sent in the URL (${parameter}=), which this server does not read, as logs and browser history keep URLs: send it in the header "Authorization: Bearer <key>"`;
  return undefined;
}
