import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { makeTempDir } from '../helpers/landing-fixture';
import { runBin, spawnBin } from '../helpers/spawn-cli';

/**
 * An operator on Athena whose network takes the connection and never answers (a proxy, a
 * firewall, a VPN gone quiet): every command fails after STEDI_AWS_TIMEOUT_MS per call (the
 * SDK's default waits for ever, so `stedi status` and `stedi build` hung), saying what to fix;
 * without credentials, the same first call says how to give them instead of the SDK's words.
 */

describe('Athena commands when AWS does not answer', () => {
  jest.setTimeout(120_000);
  let silent: Server;
  let endpoint: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    silent = createServer((socket) => void sockets.push(socket)); // accepts, never answers
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await new Promise((done) => silent.close(done));
  });

  // No profile, no instance metadata: only what each case gives.
  const aws = (extra: Record<string, string>) => ({
    HOME: makeTempDir('stedi-aws-home-'),
    AWS_EC2_METADATA_DISABLED: 'true',
    STEDI_ENGINE: 'athena',
    STEDI_LAKE: 's3://example-bucket/stedi',
    AWS_REGION: 'eu-west-1',
    ...extra,
  });

  it.each([['status'], ['build', '--json']])('stedi %s fails with the fix once the silent endpoint times out', async (...args) => {
    const run = await runBin(args, aws({ AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', STEDI_AWS_TIMEOUT_MS: '300' }));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^stedi: cannot read the lake's manifest s3:\/\/example-bucket\/stedi\/_stedi\/manifest\.json \(TimeoutError: .*\): AWS could not be reached \(the network, a proxy or a firewall, or a misspelt AWS_REGION\): check that this machine reaches AWS, then try again\n$/);
  });

  it('stedi doctor reports every check failed with the fix, the checks waiting out their timeouts together', async () => {
    const run = await runBin(['doctor'], aws({ AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', STEDI_AWS_TIMEOUT_MS: '300' }));
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines.slice(0, 6).map((l) => l.split(/ {2,}/)[1])).toEqual(['workgroup', 'glue tables', 'customer landing', 'accelerometer landing', 'step_trainer landing', 'lake writable']);
    for (const line of lines.slice(0, 6)) expect(line).toMatch(/^FAIL .*\(TimeoutError: .*\): AWS could not be reached/);
    expect(lines.at(-1)).toBe('6 of 6 checks failed; fix them before building.');
  });

  it('stedi serve answers data requests 503 ENGINE_BUSY saying to retry, and logs that the engine cannot be reached', async () => {
    const server = spawnBin(['serve'], aws({
      AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example', STEDI_AWS_TIMEOUT_MS: '300',
      STEDI_API_KEYS: 'analystkey-0123456789abcdef:analyst', HOST: '127.0.0.1', PORT: '0', STEDI_WORKERS: '1', LOG_LEVEL: 'info',
    }));
    try {
      const [, url] = await server.waitFor(/Serving s3:\/\/example-bucket\/stedi at (http:\/\/127\.0\.0\.1:\d+)\/graphql/);
      const auth = { authorization: 'Bearer analystkey-0123456789abcdef' };
      const retry = "the server cannot reach its query engine (Athena) now; retry later, and tell the server's operator (its /readyz and log say what to fix)";
      const graphql = await fetch(`${url}/graphql`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"query":"{ customers(first: 1) { totalCount } }"}' });
      expect(((await graphql.json()) as { errors: unknown }).errors).toEqual([expect.objectContaining({ message: retry, extensions: { code: 'ENGINE_BUSY' } })]);
      const exported = await fetch(`${url}/export/machine_learning_curated?format=csv`, { headers: auth });
      expect(exported.status).toBe(503);
      expect(await exported.json()).toEqual({ errors: [{ message: retry, extensions: { code: 'ENGINE_BUSY' } }] });
      const ready = await fetch(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { reason: string }).reason).toBe('lake manifest cannot be read: the query engine cannot be reached (the server log says what to fix)');
      const messages = server.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; reason?: string });
      expect(messages.map((m) => m.msg)).toEqual(expect.arrayContaining([
        'consent registry not loaded yet (the query engine cannot be reached: see err); it is retried at each refresh and on the first request',
        'the query engine cannot be reached; data requests answer ENGINE_BUSY (503) until it can',
      ]));
      expect(messages.some((m) => /is the lake built|internal error|^resolver failed|^export failed/.test(m.msg))).toBe(false);
      expect(messages.find((m) => m.reason)?.reason).toMatch(/AWS could not be reached \(the network, a proxy or a firewall, or a misspelt AWS_REGION\)/);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('stedi status without credentials says how to give them', async () => {
    const run = await runBin(['status'], aws({}));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no AWS credentials were found: set AWS_PROFILE \(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\), run `aws sso login`, or run with an instance or task role\n$/);
  });
});
