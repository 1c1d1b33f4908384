import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchClient, postJson, refused } from '../../bench/json-post';

/** A loopback server answering every POST with what `answer` gives for its body and headers. */
async function serving(answer: (body: string, headers: Record<string, unknown>) => { status: number; text: string }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const { status, text } = answer(body, req.headers);
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

/** Puts BENCH_HTTP_CLIENT back as it was before the tests set it. */
function restoreClient(before: string | undefined): void {
  if (before === undefined) delete process.env.BENCH_HTTP_CLIENT;
  else process.env.BENCH_HTTP_CLIENT = before;
}

describe.each(['http', 'fetch'])('the bench HTTP client (%s)', (client) => {
  const before = process.env.BENCH_HTTP_CLIENT;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    process.env.BENCH_HTTP_CLIENT = client;
    ({ server, url } = await serving((body, headers) => {
      if (body.includes('"broken"')) return { status: 502, text: '<html>bad gateway</html>' };
      return { status: 200, text: JSON.stringify({ echoed: JSON.parse(body), type: headers['content-type'], key: headers.authorization, big: 'x'.repeat(300_000) }) };
    }));
  });

  afterAll(async () => {
    restoreClient(before);
    await new Promise((r) => server.close(r));
  });

  it('sends the body as JSON with the given headers and parses an answer of many chunks', async () => {
    const { status, body } = await postJson(url, { query: '{ a }', variables: { é: 'ü' } }, { authorization: 'Bearer k' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ echoed: { query: '{ a }', variables: { é: 'ü' } }, type: 'application/json', key: 'Bearer k' });
    expect((body as { big: string }).big).toHaveLength(300_000);
  });

  it('rejects an answer that is not JSON, naming its status', async () => {
    await expect(postJson(url, { broken: true })).rejects.toThrow('the answer (HTTP 502) is not JSON: <html>bad gateway</html>');
  });

  it('tells a refused connection (nothing listening) from other failures', async () => {
    const closed = await serving(() => ({ status: 200, text: '{}' }));
    await new Promise((r) => closed.server.close(r));
    const error = await postJson(closed.url, {}).catch((e: unknown) => e);
    expect(refused(error)).toBe(true);
    expect(refused(new Error('socket hang up'))).toBe(false);
  });
});

describe('the bench HTTP client choice', () => {
  const before = process.env.BENCH_HTTP_CLIENT;
  afterEach(() => restoreClient(before));

  it('is node:http unless BENCH_HTTP_CLIENT says fetch, and refuses any other value', () => {
    delete process.env.BENCH_HTTP_CLIENT;
    expect(benchClient()).toBe('http');
    process.env.BENCH_HTTP_CLIENT = 'fetch';
    expect(benchClient()).toBe('fetch');
    process.env.BENCH_HTTP_CLIENT = 'curl';
    expect(() => benchClient()).toThrow('BENCH_HTTP_CLIENT must be http or fetch, got "curl"');
  });
});
