import { execFile, spawn } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { RunningServer } from '../../src/http/server';
import { ANALYST_KEY } from '../helpers/http-app';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { startLiveServer } from '../helpers/live-server';
import { describeWithStediSample, STEDI_SAMPLE_DIR } from '../helpers/stedi-sample';

/** examples/pull_training_set.py (standard library only) against a live server. */

const SCRIPT = resolve(__dirname, '..', '..', 'examples', 'pull_training_set.py');
const run = promisify(execFile);

async function pull(server: RunningServer, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  // The key goes through the environment, as a notebook user would set it.
  const env = { ...process.env, STEDI_API_KEY: ANALYST_KEY, STEDI_URL: `${server.url}/graphql` };
  try {
    const { stdout, stderr } = await run('python3', [SCRIPT, ...args], { env, timeout: 120_000 });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

const csvRows = (file: string): string[][] =>
  readFileSync(file, 'utf8')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));

async function totalCount(server: RunningServer, split: string): Promise<number> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` },
    body: JSON.stringify({ query: `{ machineLearningSamples(first: 1, split: ${split}) { totalCount } }` }),
  });
  return ((await res.json()) as { data: { machineLearningSamples: { totalCount: number } } }).data.machineLearningSamples.totalCount;
}

describe('the Python training-set client on a fixture lake', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startLiveServer(writeSmallLanding());
  });
  afterAll(() => server.shutdown());

  it('pages through a split one row at a time into a CSV with a header and every row', async () => {
    const counts: number[] = [];
    for (const split of ['TRAIN', 'VALIDATION', 'TEST']) {
      const out = join(makeTempDir(), `${split}.csv`);
      const result = await pull(server, '--split', split, '--page-size', '1', '--out', out);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const rows = csvRows(out);
      expect(rows[0]).toEqual(['serialNumber', 'sensorReadingTime', 'distanceFromObject', 'x', 'y', 'z']);
      expect(rows.length - 1).toBe(await totalCount(server, split));
      expect(result.stdout).toContain(`wrote ${rows.length - 1} ${split} rows to ${out}`);
      counts.push(rows.length - 1);
    }
    expect(counts.reduce((a, b) => a + b)).toBe(4);
  });

  it("pulls one device's rows in a time window, paged or exported, and refuses a window that cannot match", async () => {
    for (const how of [[], ['--export']]) {
      const out = join(makeTempDir(), 'alice.csv');
      const result = await pull(server, '--serial', 'SERIAL-ALICE', '--start', '2022-06-12T02:13:22Z', '--end', '1655000002000', '--out', out, ...how);
      expect(result.stderr).toBe('');
      // alice's readings at 1655000002000 (2022-06-12T02:13:22Z) alone: her earlier two are before the window.
      expect(csvRows(out).slice(1).map((r) => [r[0], r[1]])).toEqual([['serial-alice', '1655000002000']]);
    }
    const refused = await pull(server, '--start', '1655000000002', '--end', '1655000000001', '--out', join(makeTempDir(), 'none.csv'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error: start \(1655000000002\) is after end \(1655000000001\)/);
    // A date in seconds matched every row (start) or none (end) as milliseconds: refused before any request.
    const inSeconds = await pull(server, '--start', '1655000000', '--out', join(makeTempDir(), 'none.csv'));
    expect(inSeconds.code).toBe(2);
    expect(inSeconds.stderr).toMatch(/error: start must be epoch milliseconds; received 1655000000, which reads as seconds: pass 1655000000000/);
  });

  it('pulls every row by default, writing x, y and z as the floats the export CSV holds', async () => {
    const dir = makeTempDir();
    const paged = await pull(server, '--out', join(dir, 'all.csv'));
    expect(paged.code).toBe(0);
    expect((await pull(server, '--export', '--out', join(dir, 'export.csv'))).code).toBe(0);
    const rows = csvRows(join(dir, 'all.csv'));
    expect(rows.length - 1).toBe(4);
    const exported = csvRows(join(dir, 'export.csv'));
    // Same text per value: pandas then reads both files with the same dtypes.
    const xyz = (table: string[][]): string[] => table.slice(1).flatMap((r) => r.slice(3, 6)).sort();
    expect(xyz(rows)).toEqual(xyz(exported));
    expect(xyz(rows).every((v) => /[.eE]/.test(v))).toBe(true);
  });

  it('writes a CSV byte for byte as the export sends it, line endings included', async () => {
    // The csv module ended lines with \r\n and /export with \n: a diff or checksum of the two pulls differed on every line.
    const dir = makeTempDir();
    expect((await pull(server, '--out', join(dir, 'all.csv'))).code).toBe(0);
    expect((await pull(server, '--export', '--out', join(dir, 'export.csv'))).code).toBe(0);
    expect(readFileSync(join(dir, 'all.csv'), 'utf8')).toBe(readFileSync(join(dir, 'export.csv'), 'utf8'));
  });

  it('writes the rows to standard output with --out - (a file named "-" before), the summary on stderr, and refuses it for an export', async () => {
    const dir = makeTempDir();
    expect((await pull(server, '--out', join(dir, 'all.csv'))).code).toBe(0);
    const piped = await pull(server, '--out', '-');
    expect(piped.code).toBe(0);
    expect(piped.stdout).toBe(readFileSync(join(dir, 'all.csv'), 'utf8'));
    expect(piped.stderr).toMatch(/^wrote \d+ ALL rows to standard output in /);
    const ndjson = await pull(server, '--out', '-', '--format', 'ndjson', '--split', 'TRAIN');
    expect(ndjson.stdout.trim().split('\n')).toHaveLength(await totalCount(server, 'TRAIN'));
    const exported = await pull(server, '--out', '-', '--export');
    expect(exported.code).toBe(2);
    expect(exported.stderr).toMatch(/error: --out - \(standard output\) takes CSV or NDJSON rows paged here/);
  });

  it('exits with 1 and the server error code when the key is wrong, leaving no file behind', async () => {
    const dir = makeTempDir();
    const result = await pull(server, '--key', 'wrong-key-0123456789abcdef', '--out', join(dir, 'x.csv'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/UNAUTHENTICATED: the API key is not valid/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says in one line, without a traceback, when the output file cannot be written or the page size is not positive', async () => {
    const missing = join(makeTempDir(), 'no-such-folder', 'x.csv');
    for (const mode of [[], ['--export']]) {
      const result = await pull(server, ...mode, '--out', missing);
      expect(result.code).toBe(1);
      // One line naming the file and why: the client's own words for a missing folder, or the system's.
      expect(result.stderr.startsWith(`error: cannot write ${missing}: `)).toBe(true);
      expect(result.stderr).toMatch(/: (No such file or directory|the folder '[^']*no-such-folder' to export into does not exist; [^\n]*)\n$/);
      expect(result.stderr.split('\n')).toHaveLength(2);
    }
    const zero = await pull(server, '--page-size', '0', '--out', join(makeTempDir(), 'x.csv'));
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/error: --page-size must be at least 1; received 0\n$/);
    expect(zero.stderr).not.toMatch(/Traceback/);
  });

  it('refuses a --seed without a --split, as the server does, instead of pulling every row', async () => {
    const dir = makeTempDir();
    for (const mode of [[], ['--export']]) {
      const result = await pull(server, ...mode, '--seed', 'epoch-1', '--out', join(dir, 'x.csv'));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/error: --seed only applies to one split: add --split TRAIN, VALIDATION or TEST/);
      expect(result.stderr).not.toMatch(/Traceback/);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses, in one line and before asking the server, a url without its scheme, a key no header can carry and an --out whose name is not the format written', async () => {
    const dir = makeTempDir();
    const cases: [string[], RegExp][] = [
      [['--url', 'localhost:4000', '--out', join(dir, 'x.csv')], /error: --url: url must start with http:\/\/ or https:\/\/, such as http:\/\/localhost:4000; received 'localhost:4000'\n$/],
      // A key pasted with a line break inside: urllib's error quoted the whole key in a traceback.
      [['--key', 'first-half-of-a-key\nsecond-half', '--out', join(dir, 'x.csv')], /error: --key: the API key holds a space, a line break or a character no API key has .*: pass the key alone, as the server printed it\n$/],
      [['--out', join(dir, 'x.json')], /error: cannot tell the format from --out '.*x\.json': name it \.csv, \.ndjson or \.parquet, or add --format\n$/],
      [['--format', 'ndjson', '--out', join(dir, 'x.csv')], /error: --format ndjson does not match --out '.*x\.csv': name the file \.ndjson, or drop --format\n$/],
    ];
    for (const [args, message] of cases) {
      const result = await pull(server, ...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/Traceback|first-half/);
    }
    expect(readdirSync(dir)).toEqual([]);
    // An explicit format names what a file of another extension holds.
    const ndjson = join(dir, 'x.json');
    expect((await pull(server, '--format', 'ndjson', '--out', ndjson)).code).toBe(0);
    expect(JSON.parse(readFileSync(ndjson, 'utf8').split('\n')[0])).toHaveProperty('serialNumber');
  });
});

describe('the Python training-set command stopped by Ctrl+C', () => {
  it('says so in one line, exits 130 and leaves no file, while waiting for a page', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket)); // takes the request, never answers
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    const connected = new Promise((done) => silent.once('connection', done));
    const dir = makeTempDir();
    const out = join(dir, 'x.csv');
    const env = { ...process.env, STEDI_API_KEY: ANALYST_KEY, STEDI_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` };
    const child = spawn('python3', [SCRIPT, '--out', out], { env });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await connected;
      child.kill('SIGINT');
      const code = await new Promise((done) => child.on('close', done));
      expect({ code, stderr }).toEqual({ code: 130, stderr: `interrupted: ${out} was not written\n` });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });
});

describeWithStediSample('the Python training-set client on the real data', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startLiveServer(STEDI_SAMPLE_DIR);
  });
  afterAll(() => server.shutdown());

  it('pulls the TRAIN split in pages of 5,000, the same rows GraphQL counts and /export sends', async () => {
    const dir = makeTempDir();
    const paged = await pull(server, '--split', 'TRAIN', '--out', join(dir, 'train.csv'));
    expect(paged.code).toBe(0);
    const exported = await pull(server, '--split', 'TRAIN', '--export', '--out', join(dir, 'train-export.csv'));
    expect(exported.code).toBe(0);
    const expected = await totalCount(server, 'TRAIN');
    expect(expected).toBeGreaterThan(30_000);
    const pagedRows = csvRows(join(dir, 'train.csv')).slice(1);
    const exportedRows = csvRows(join(dir, 'train-export.csv')).slice(1);
    expect(pagedRows).toHaveLength(expected);
    expect(exportedRows).toHaveLength(expected);
    const key = (r: string[]): string => `${r[0]}|${r[1]}|${Number(r[3])}|${Number(r[4])}|${Number(r[5])}`;
    expect(new Set(pagedRows.map(key))).toEqual(new Set(exportedRows.map(key)));
  });
});
