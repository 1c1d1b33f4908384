import { execFileSync } from 'node:child_process';
import { openSync, readdirSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Engine } from '../../etl/engine/engine';
import { download } from '../helpers/export-download';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { canMountTmpfs, tmpfsForSuite } from '../helpers/tmpfs';

/** GET /export/machine_learning_curated when the folder its file is written in is full. */

const EXPECTED = "the server has no disk space left to write this export; try again later, and tell the server's operator to free space in its temporary folder";

/** The engine, its export writer failing as `fail` says (the file it was asked to write is passed in). */
const failingWriter = (fail: (path: string) => Error) => (engine: Engine): Engine =>
  new Proxy(engine, {
    get(target, property) {
      if (property === 'exportToFile') return (_sql: string, _params: unknown, _format: string, path: string) => Promise.reject(fail(path));
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

async function appLogging(options: { exportDir: string; wrapEngine?: (engine: Engine) => Engine }): Promise<{ t: TestApp; logs: string[] }> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  return { t: await buildTestApp({ landing: writeSmallLanding(), logger: pino({ level: 'info' }, sink), ...options }), logs };
}

async function expectDiskFullAnswer(t: TestApp, logs: string[], exportDir: string, requestId: string): Promise<void> {
  const res = await download(t.server, '?format=ndjson', ANALYST_KEY).set('x-request-id', requestId);
  expect(res.status).toBe(507);
  const body = res.body.toString('utf8');
  expect(JSON.parse(body).errors).toEqual([{ message: EXPECTED, extensions: { code: 'INSUFFICIENT_STORAGE' } }]);
  expect(body).not.toContain(exportDir);
  const logged = logs.filter((l) => l.includes(`"requestId":"${requestId}"`) && l.includes('no disk space left'));
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatch(/no space left on device/i);
  expect(logged[0]).toContain(exportDir);
  // The temp folder goes once the answer is sent.
  for (let waited = 0; readdirSync(exportDir).length > 0 && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(readdirSync(exportDir)).toEqual([]);
}

describe('an export when the disk is full', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t.close());

  it("answers 507 INSUFFICIENT_STORAGE without a path when DuckDB's writer finds the disk full, logs the details, and leaves no file behind", async () => {
    const exportDir = makeTempDir('stedi-export-full-');
    let logs: string[];
    ({ t, logs } = await appLogging({ exportDir, wrapEngine: failingWriter((path) => new Error(`IO Error: Could not write file "${path}": No space left on device`)) }));
    await expectDiskFullAnswer(t, logs, exportDir, 'full-duckdb-1');
  });

  it('answers the same when a writer of Node files (as the Athena engine downloads its result) gets ENOSPC', async () => {
    const exportDir = makeTempDir('stedi-export-full-');
    let logs: string[];
    ({ t, logs } = await appLogging({ exportDir, wrapEngine: failingWriter((path) => Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC', path })) }));
    await expectDiskFullAnswer(t, logs, exportDir, 'full-node-1');
  });

  it('answers 507 INSUFFICIENT_STORAGE saying so when the file outgrows the file size limit (ulimit -f), and leaves no file behind', async () => {
    const exportDir = makeTempDir('stedi-export-fsize-');
    let logs: string[];
    ({ t, logs } = await appLogging({ exportDir, wrapEngine: failingWriter((path) => new Error(`IO Error: Could not write file "${path}": File too large`)) }));
    const res = await download(t.server, '?format=ndjson', ANALYST_KEY).set('x-request-id', 'fsize-1');
    expect(res.status).toBe(507);
    expect(JSON.parse(res.body.toString('utf8')).errors).toEqual([
      { message: "this export is larger than the server may write as one file; ask for one split at a time, and tell the server's operator to raise its file size limit (ulimit -f)", extensions: { code: 'INSUFFICIENT_STORAGE' } },
    ]);
    expect(logs.filter((l) => l.includes('"requestId":"fsize-1"') && l.includes('file size limit'))).toHaveLength(1);
    for (let waited = 0; readdirSync(exportDir).length > 0 && waited < 2_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(readdirSync(exportDir)).toEqual([]);
  });

  it('still answers 500 with a request id for an export failure that is not a full disk', async () => {
    const exportDir = makeTempDir('stedi-export-broken-');
    ({ t } = await appLogging({ exportDir, wrapEngine: failingWriter(() => new Error('IO Error: something else went wrong')) }));
    const res = await download(t.server, '?format=ndjson', ANALYST_KEY).set('x-request-id', 'broken-export-1');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body.toString('utf8')).errors[0]).toMatchObject({ message: expect.stringMatching(/^internal error \(request id broken-export-1\)/), extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});

// A real full disk: a tiny tmpfs filled up, where root may mount one.
(canMountTmpfs ? describe : describe.skip)('an export onto a full filesystem', () => {
  jest.setTimeout(60_000);
  const mountPoint = makeTempDir('stedi-export-tmpfs-');
  let t: TestApp;
  beforeAll(() => execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]));
  afterAll(async () => {
    await t?.close();
    execFileSync('umount', [mountPoint]);
  });

  it("answers 507 INSUFFICIENT_STORAGE from DuckDB's own failure", async () => {
    const exportDir = join(mountPoint, 'exports');
    execFileSync('mkdir', [exportDir]);
    let logs: string[];
    ({ t, logs } = await appLogging({ exportDir }));
    // Fill the filesystem, outside the export folder.
    const fd = openSync(join(mountPoint, 'filler'), 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(4096, 1));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(fd);
    }
    await expectDiskFullAnswer(t, logs, exportDir, 'full-tmpfs-1');
  });
});

// A read-only temporary folder (a container's read-only root filesystem, TMPDIR left at /tmp): every export was a 500.
(canMountTmpfs ? describe : describe.skip)('an export whose temporary folder is read-only', () => {
  jest.setTimeout(60_000);
  let t: TestApp | undefined;
  // Before the unmount (hooks run in the order given).
  afterAll(async () => {
    await t?.close();
  });
  const exportDir = tmpfsForSuite('stedi-export-ro-', 'ro,size=64k');

  it('answers 507 INSUFFICIENT_STORAGE saying the operator must give it a writable TMPDIR, without the path, and logs the folder', async () => {
    let logs: string[];
    ({ t, logs } = await appLogging({ exportDir }));
    const res = await download(t.server, '?format=csv', ANALYST_KEY).set('x-request-id', 'ro-tmp-1');
    expect(res.status).toBe(507);
    const body = res.body.toString('utf8');
    expect(JSON.parse(body).errors).toEqual([
      {
        message: "the server cannot write this export's file: its temporary folder is read-only or not writable by it; tell the server's operator (its log names the folder: set TMPDIR to a writable one)",
        extensions: { code: 'INSUFFICIENT_STORAGE' },
      },
    ]);
    expect(body).not.toContain(exportDir);
    const logged = logs.filter((l) => l.includes('"requestId":"ro-tmp-1"') && l.includes('the temporary folder refuses writes'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(exportDir);
  });
});
