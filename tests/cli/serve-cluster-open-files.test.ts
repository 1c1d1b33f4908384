import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { buildLake } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { ADMIN_KEY } from '../helpers/http-app';
import { type ServedLake, serveLake, untilReady } from '../helpers/served-lake';

/**
 * A cluster's workers at their open-file limit for a moment (a low `ulimit -n`, exports' files): a connection the
 * primary hands a worker then cannot reach it (the descriptor cannot be received), and Node's cluster, which waits for
 * that worker's answer before handing it another, never got one: once both workers had missed one, the server took
 * every later connection and answered none, for ever, though the workers were well again.
 */

// Private: preloaded into the server under test (and so its workers), see the file.
const DESCRIPTOR_FILL = resolve(__dirname, '../helpers/descriptor-fill.cjs');

/** A GET on a connection of its own, so consecutive requests reach different workers: its status, or the error. */
function fresh(url: string, path: string): Promise<number | string> {
  return new Promise((done) => {
    const req = request(`${url}${path}`, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    req.end();
  });
}

/** `promise`, or an error naming `what` after `ms`: a server that never answers fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]).finally(() => clearTimeout(timer));
}

const until = async (what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('stedi serve on two workers at their open-file limit for a moment', () => {
  let served: ServedLake | undefined;
  afterEach(() => {
    if (served && served.process.child.exitCode === null) served.process.child.kill('SIGKILL');
    served = undefined;
  });

  /** Two workers over a small lake, each holding every descriptor it may while `fillFile` exists (descriptor-fill.cjs). */
  async function serveFillable(): Promise<{ url: string; lake: string; fillFile: string; markers: () => string[] }> {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-cluster-lake-');
    await buildLake(landing, lake);
    const fillFile = join(makeTempDir('stedi-fill-'), 'fill');
    const markers = (): string[] => readdirSync(dirname(fillFile)).filter((f) => f.startsWith(`${basename(fillFile)}.`));
    served = await serveLake(['--lake', lake, '--landing', landing], {
      STEDI_WORKERS: '2',
      STEDI_SPARE_WORKER_IDLE_MS: '0',
      LOG_LEVEL: 'info',
      NODE_OPTIONS: `--require ${JSON.stringify(DESCRIPTOR_FILL)}`,
      STEDI_TEST_FILL_FILE: fillFile,
    });
    await untilReady(served);
    return { url: served.url, lake, fillFile, markers };
  }

  it('answers again once its workers are below their limit: a connection a worker could not receive is closed, and the cluster goes on handing that worker others', async () => {
    const { url, fillFile, markers } = await serveFillable();

    writeFileSync(fillFile, '');
    await until('both workers hold every descriptor they may', () => markers().length === 2);
    // One connection for each worker: neither can receive it, so each is closed unanswered.
    const refused = await within(Promise.all([fresh(url, '/healthz'), fresh(url, '/healthz')]), 20_000, 'a connection to a worker at its limit was neither answered nor closed');
    for (const outcome of refused) expect(typeof outcome).toBe('string');

    rmSync(fillFile);
    await until('both workers gave their descriptors back', () => markers().length === 0);
    const answers = await within(Promise.all(Array.from({ length: 4 }, () => fresh(url, '/healthz'))), 20_000, 'the server never answered again once its workers were below their open-file limit');
    expect(answers).toEqual([200, 200, 200, 200]);
    await served!.process.waitFor(/"msg":"a connection handed to a worker never reached it: that worker was at its open-file limit \(ulimit -n\)/, 10_000);
    expect(existsSync(fillFile)).toBe(false);
    served!.process.child.kill('SIGTERM');
    expect(await served!.process.exited).toBe(0);
    served = undefined;
  }, 90_000);

  it('serves a version its workers could not open at their limit once they can: the limit is never taken for damage to the version\'s files', async () => {
    const { lake, fillFile, markers } = await serveFillable();
    const manifest = join(lake, '_stedi', 'manifest.json');
    const liveOnDisk = (): string => (JSON.parse(readFileSync(manifest, 'utf8')) as { versions: Array<{ version: string }> }).versions[0]!.version;
    const before = liveOnDisk();
    const started = await served!.graphql('mutation { rebuildZones { id } }', ADMIN_KEY);
    expect(started.errors).toBeUndefined();
    // The rebuild runs in its own process; the workers, holding every descriptor, load its version (staging) and fail.
    writeFileSync(fillFile, '');
    await until('both workers hold every descriptor they may', () => markers().length === 2);
    await until('the rebuild published', () => liveOnDisk() !== before, 60_000);
    const next = liveOnDisk();
    rmSync(fillFile);
    await until('both workers gave their descriptors back', () => markers().length === 0);

    const ready = await Promise.all(Array.from({ length: 4 }, () => served!.readyz()));
    expect(ready.map((r) => r.body)).toEqual(Array.from({ length: 4 }, () => ({ status: 'ready', version: next })));
    const answers = await Promise.all(Array.from({ length: 4 }, () => served!.graphql('{ lake { liveVersion } customers { totalCount } }')));
    for (const answer of answers) expect(answer).toEqual({ data: { lake: { liveVersion: next }, customers: { totalCount: expect.any(Number) } } });
    served!.process.child.kill('SIGTERM');
    expect(await served!.process.exited).toBe(0);
    served = undefined;
  }, 120_000);
});
