import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy serving `target` under a path, stripping it as jupyter-server-proxy's /proxy/<port>/ and
 * nginx's `location /stedi/ { proxy_pass http://api/; }` do; any other path is the proxy's own 404.
 */
export async function startPrefixProxy(target: string, prefix: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(`${prefix}/`)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`the proxy has nothing at ${url}\n`);
      return;
    }
    const forward = request({ host: upstream.hostname, port: upstream.port, path: url.slice(prefix.length), method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    // Chromium keeps its connections open (and may hold one it opened ahead of a request): close() alone waits for them.
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
