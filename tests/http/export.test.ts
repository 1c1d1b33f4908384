import fc from 'fast-check';
import { mkdirSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterExportWrites } from '../helpers/export-write-hook';
import { download, exportedRows } from '../helpers/export-download';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import request from 'supertest';
import { EXPORT_PATH as EXPORT } from '../../src/http/export';
import { processStart } from '../../etl/dead-process-folders';
import { connect, type AddressInfo } from 'node:net';
import { type ManyCustomers, writeManyCustomersLanding, writeRevocation } from '../helpers/many-customers-landing';

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** GET /export/machine_learning_curated on a small fixture lake (alice and bob consent, carol does not). */

const FORMATS = ['csv', 'ndjson', 'parquet'] as const;
const COLUMNS = ['serialNumber', 'sensorReadingTime', 'distanceFromObject', 'x', 'y', 'z'];

describe('the export endpoint', () => {
  let t: TestApp;
  // A private export folder shows what the export leaves behind.
  const exportDir = makeTempDir('stedi-export-dir-');
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding(), exportDir });
  });
  afterAll(() => t.close());

  describe.each(FORMATS)('as %s', (format) => {
    it('sends every consent-filtered row with the right headers and no email', async () => {
      const res = await download(t.server, `?format=${format}`, ANALYST_KEY);
      expect(res.status).toBe(200);
      const expectedType = { csv: /^text\/csv/, ndjson: /^application\/x-ndjson/, parquet: /^application\/vnd\.apache\.parquet$/ }[format];
      expect(res.headers['content-type']).toMatch(expectedType);
      const version = res.headers['x-lake-version'];
      expect(res.headers['content-disposition']).toBe(`attachment; filename="machine_learning_curated-${version}.${format}"`);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(res.headers['x-row-count']).toBe('4');
      const rows = await exportedRows(res.body, format);
      expect(rows).toHaveLength(4);
      expect(Object.keys(rows[0]!).sort()).toEqual([...COLUMNS].sort());
      expect(new Set(rows.map((r) => r.serialNumber))).toEqual(new Set(['serial-alice', 'serial-bob']));
      expect(res.body.toString('latin1')).not.toMatch(/carol|@test\.com/);
    });
  });

  it('answers HEAD with the headers a GET sends, but its size and row count, without writing an export', async () => {
    const seen: string[] = [];
    const watcher = watch(exportDir, (_event, name) => name && seen.push(name));
    try {
      const res = await request(t.server).head(`${EXPORT}?format=csv&split=TRAIN`).set('Authorization', `Bearer ${ANALYST_KEY}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="machine_learning_curated-${res.headers['x-lake-version']}-train.csv"`);
      expect(res.headers['x-row-count']).toBeUndefined();
      // Let a folder the export would have made be seen, then: none was.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seen).toEqual([]);
      // It is still a data request: the key and the parameters are checked as for a GET.
      expect((await request(t.server).head(EXPORT)).status).toBe(401);
      expect((await request(t.server).head(`${EXPORT}?format=xml`).set('Authorization', `Bearer ${ANALYST_KEY}`)).status).toBe(400);
    } finally {
      watcher.close();
    }
  });

  it('names a split by its seed too, unless it is the default, so two seeds\' files are saved under two names', async () => {
    const nameOf = async (query: string): Promise<string> => {
      const res = await request(t.server).head(`${EXPORT}?format=csv&split=TRAIN${query}`).set('Authorization', `Bearer ${ANALYST_KEY}`);
      expect(res.status).toBe(200);
      return /filename="machine_learning_curated-[^-"]+-(.*)"$/.exec(res.headers['content-disposition'])![1];
    };
    // Every seed's TRAIN file was `…-train.csv`: a notebook saving by that name overwrote one split with another.
    expect(await nameOf('&splitSeed=experiment_2')).toBe('train-seed-experiment_2.csv');
    expect(await nameOf('')).toBe('train.csv');
    expect(await nameOf('&splitSeed=stedi')).toBe('train.csv');
    // Any text is a seed: the name keeps its safe characters and a hash of it, never a quote, slash or control character.
    const hostile = await nameOf(`&splitSeed=${encodeURIComponent('../"a b"\r\n')}`);
    expect(hostile).toMatch(/^train-seed-ab-[0-9a-f]{8}\.csv$/);
    expect(await nameOf(`&splitSeed=${encodeURIComponent('a b')}`)).not.toBe(await nameOf(`&splitSeed=${encodeURIComponent('a  b')}`));
    expect(await nameOf(`&splitSeed=${encodeURIComponent('种子')}`)).toMatch(/^train-seed-[0-9a-f]{8}\.csv$/);
  });

  it('names the filter too (device, from, to), so two filtered exports of one table are saved under two names', async () => {
    const nameOf = async (query: string): Promise<string> => {
      const res = await request(t.server).head(`${EXPORT}?format=csv${query}`).set('Authorization', `Bearer ${ANALYST_KEY}`);
      expect(res.status).toBe(200);
      return /filename="machine_learning_curated-[^-"]+(.*)"$/.exec(res.headers['content-disposition'])![1];
    };
    // Both were `…-<version>.csv`: a notebook pulling one device after another saved each over the last.
    expect(await nameOf('&serialNumber=serial-alice')).toBe('-serial-serial-alice.csv');
    expect(await nameOf('&serialNumber=serial-bob')).toBe('-serial-serial-bob.csv');
    // One device however it is spelt, as the filter matches it: one name.
    expect(await nameOf(`&serialNumber=${encodeURIComponent(' SERIAL-Alice ')}`)).toBe('-serial-serial-alice.csv');
    expect(await nameOf('&from=1655000001000&to=1655000002000')).toBe('-from-1655000001000-to-1655000002000.csv');
    expect(await nameOf('&to=1655000002000')).toBe('-to-1655000002000.csv');
    expect(await nameOf('&split=TEST&splitSeed=s1&serialNumber=serial-bob&from=-5')).toBe('-test-seed-s1-serial-serial-bob-from--5.csv');
    // Any text is a serial: its safe characters and a hash, never a quote, slash or control character.
    expect(await nameOf(`&serialNumber=${encodeURIComponent('../"a;b"\r\n')}`)).toMatch(/^-serial-ab-[0-9a-f]{8}\.csv$/);
  });

  it('writes Parquet files that start with the Parquet magic bytes', async () => {
    const res = await download(t.server, '?format=parquet', ANALYST_KEY);
    expect(res.body.subarray(0, 4).toString('latin1')).toBe('PAR1');
  });

  it('splits whole customers: the three splits together are the full export, each serial in one', async () => {
    const seen = new Map<string, string>();
    let total = 0;
    for (const split of ['TRAIN', 'VALIDATION', 'TEST']) {
      const res = await download(t.server, `?format=ndjson&split=${split}&splitSeed=s1`, ANALYST_KEY);
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toContain(`-${split.toLowerCase()}-seed-s1.ndjson`);
      // An empty split is an empty file, which DuckDB's JSON reader cannot open.
      const rows = res.body.length === 0 ? [] : await exportedRows(res.body, 'ndjson');
      expect(res.headers['x-row-count']).toBe(String(rows.length));
      total += rows.length;
      for (const row of rows) {
        expect(seen.get(row.serialNumber as string) ?? split).toBe(split);
        seen.set(row.serialNumber as string, split);
      }
    }
    expect(total).toBe(4);
    expect(new Set(seen.keys())).toEqual(new Set(['serial-alice', 'serial-bob']));
  });

  it.each([
    ['', /format is required/],
    ['?format=xlsx', /format must be parquet, csv or ndjson \(any case\); received "xlsx"/],
    ['?format=csv&split=HOLDOUT', /split must be TRAIN, VALIDATION or TEST \(any case\); received "HOLDOUT"/],
    ['?format=csv&splitSeed=7', /splitSeed only applies to a split/],
    ['?format=csv&spilt=TRAIN', /unknown parameter "spilt"/],
    ['?format=csv&format=ndjson', /give format once/],
    ['?format=CSVX', /format must be parquet, csv or ndjson \(any case\); received "CSVX"/],
    ['?format=Csv&split=Holdout', /split must be TRAIN, VALIDATION or TEST \(any case\); received "Holdout"/],
    ['?format=csv&from=2022-06-18', /from must be epoch milliseconds in digits, such as from=1655564000000; received "2022-06-18"/],
    ['?format=csv&to=1e12', /to must be epoch milliseconds in digits/],
    ['?format=csv&to=99999999999999999', /to must be epoch milliseconds in digits/],
    ['?format=csv&from=1655000000002&to=1655000000001', /from \(1655000000002\) is after to \(1655000000001\)/],
    ['?format=csv&serialNumber=', /serialNumber must be 1 to 200 characters; received 0 characters/],
    // A date in seconds, taken as milliseconds, matched every row (from) or none (to), silently.
    ['?format=csv&from=1655564000', /^from must be epoch milliseconds; received 1655564000, which is 1970-01-20 in milliseconds and reads as seconds: send 1655564000000 \(2022-06-18T14:53:20.000Z\)$/],
    ['?format=ndjson&from=1655000000000&to=99999999999', /^to must be epoch milliseconds; received 99999999999, .* send 99999999999000 /],
  ])('answers %p with 400 BAD_USER_INPUT JSON saying what to fix', async (query, message) => {
    const res = await download(t.server, query, ANALYST_KEY);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body.toString('utf8'));
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(message);
  });

  it('quotes back a refused value short and plain, however long or strange the client made it', async () => {
    const sent = `<a href="https://evil.example">click</a>\u202e\u001b[31m${'x'.repeat(5_000)}`;
    const res = await download(t.server, `?format=${encodeURIComponent(sent)}`, ANALYST_KEY);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString('utf8')).errors[0].message).toBe(`format must be parquet, csv or ndjson (any case); received "?a?href??https:??evil.ex…" (${[...sent].length} characters)`);
  });

  it(`echoes no client text beyond 24 plain characters in any refused parameter (seed ${SEED})`, async () => {
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 300 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('format', 'split', 'from', 'name'), text, async (where, value) => {
        const query = where === 'name' ? `?format=csv&${encodeURIComponent(`x${value}`)}=1` : `?${where === 'format' ? '' : 'format=csv&'}${where}=${encodeURIComponent(value)}`;
        const res = await download(t.server, query, ANALYST_KEY);
        if (res.status !== 400) return; // a value that happens to be valid (format=CSV, split=train, from=5)
        const message: string = JSON.parse(res.body.toString('utf8')).errors[0].message;
        const quoted = /(?:received|parameter) "([^"]*)"/.exec(message)?.[1];
        if (quoted === undefined) return; // refused without quoting it (given twice, from after to)
        expect(quoted).toMatch(/^[A-Za-z0-9._:?-]{0,24}…?$/);
        expect(message.length).toBeLessThan(200);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it.each(FORMATS)('sends as %s the rows machineLearningSamples pages through for one device and a time window, its ends included', async (format) => {
    const samples = async (args: string) =>
      (await t.graphql(`{ machineLearningSamples(${args}) { edges { node { ${COLUMNS.join(' ')} } } } }`, ANALYST_KEY)).body.data.machineLearningSamples.edges.map((e: { node: unknown }) => e.node);
    // The device typed in capitals, as GraphQL's filter finds it; a window of alice's second reading time alone.
    for (const [query, args] of [
      ['&serialNumber=SERIAL-ALICE', 'filter: { serialNumber: "SERIAL-ALICE" }'],
      ['&from=1655000002000&to=1655000002000', 'filter: { from: 1655000002000, to: 1655000002000 }'],
      ['&serialNumber=serial-bob&to=1655000001000&split=TEST&splitSeed=s', 'filter: { serialNumber: "serial-bob", to: 1655000001000 }, split: TEST, splitSeed: "s"'],
    ]) {
      const res = await download(t.server, `?format=${format}${query}`, ANALYST_KEY);
      expect(res.status).toBe(200);
      const rows = (await exportedRows(res.body, format)).map((r) => Object.fromEntries(COLUMNS.map((c) => [c, c === 'serialNumber' ? r[c] : Number(r[c])])));
      expect(res.headers['x-row-count']).toBe(String(rows.length));
      expect(rows).toEqual(await samples(args));
    }
    expect(await samples('filter: { serialNumber: "SERIAL-ALICE" }')).toHaveLength(3);
    expect(await samples('filter: { from: 1655000002000, to: 1655000002000 }')).toHaveLength(1);
  });

  it('accepts a split in lower case', async () => {
    const res = await download(t.server, '?format=csv&split=train', ANALYST_KEY);
    expect(res.status).toBe(200);
  });

  it.each([['CSV', 'csv'], ['Parquet', 'parquet'], ['NDJSON', 'ndjson']])('accepts format=%s as %s, as split takes any case', async (given, format) => {
    const res = await download(t.server, `?format=${given}&split=Train`, ANALYST_KEY);
    const same = await download(t.server, `?format=${format}&split=TRAIN`, ANALYST_KEY);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(same.headers['content-type']);
    expect(res.headers['content-disposition']).toBe(same.headers['content-disposition']);
    expect(res.headers['content-disposition']).toMatch(new RegExp(`\\.${format}"$`));
    expect(res.body.equals(same.body)).toBe(true);
  });

  it('writes its temp file in the export folder and leaves nothing behind', async () => {
    const seen: string[] = [];
    const watcher = watch(exportDir, (_event, name) => name && seen.push(name));
    try {
      expect((await download(t.server, '?format=parquet', ANALYST_KEY)).status).toBe(200);
      expect((await download(t.server, '?format=nope', ANALYST_KEY)).status).toBe(400);
    } finally {
      watcher.close();
    }
    expect(seen.some((name) => name.startsWith('stedi-export-'))).toBe(true);
    expect(readdirSync(exportDir)).toEqual([]);
  });

  it('drops a customer who revokes consent in the landing zone, before any rebuild', async () => {
    writeLanding(t.lake.landing, 'customer', [customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
    await t.lake.services.consent.refresh();
    const res = await download(t.server, '?format=csv', ANALYST_KEY);
    const rows = await exportedRows(res.body, 'csv');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.serialNumber === 'serial-alice')).toBe(true);
    expect(res.body.toString('utf8')).not.toContain('serial-bob');
  });
});

describe('the export endpoint before any build', () => {
  it('answers 503 LAKE_NOT_BUILT', async () => {
    const t = await buildTestApp({ landing: writeSmallLanding(join(makeTempDir(), 'landing')), build: false });
    try {
      const res = await download(t.server, '?format=csv', ANALYST_KEY);
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body.toString('utf8')).errors[0].extensions.code).toBe('LAKE_NOT_BUILT');
    } finally {
      await t.close();
    }
  });
});

describe('export folders left by a server that died mid-export', () => {
  it("are removed when a server starts, and a live process's are left alone", async () => {
    const exportDir = makeTempDir('stedi-export-dead-');
    // A pid no process has: above the kernel's pid_max ceiling (2^22).
    const dead = join(exportDir, `stedi-export-${2 ** 22 + 7}-abc123`);
    const live = join(exportDir, `stedi-export-${process.pid}-def456`);
    for (const dir of [dead, live]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'export.parquet'), 'rows');
    }
    const t = await buildTestApp({ landing: writeSmallLanding(), exportDir });
    try {
      expect(readdirSync(exportDir).sort()).toEqual([basename(live)]);
    } finally {
      await t.close();
    }
  });
});

describe('export folders left by a killed server whose pid a new server has', () => {
  // A container restarted after a kill -9 runs its server under the killed one's pid: named by pid alone, the
  // killed server's half-written export (customers' readings) looked like the new server's own and stayed for ever.
  it("are told from the live process's by its start time: the killed one's go, the running one's stay", async () => {
    const start = processStart(process.pid);
    if (start === null) return; // no /proc: a name holds the pid alone, as before
    const exportDir = makeTempDir('stedi-export-reused-');
    const predecessor = join(exportDir, `stedi-export-${process.pid}.${Number(start) - 1}-abc123`);
    const running = join(exportDir, `stedi-export-${process.pid}.${start}-def456`);
    for (const dir of [predecessor, running]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'export.ndjson'), '{"serialNumber":"serial-bob"}\n');
    }
    let during: string[] = [];
    const seeingFolders = afterExportWrites(async () => void (during = readdirSync(exportDir)));
    const t = await buildTestApp({ landing: writeSmallLanding(), exportDir, wrapEngine: seeingFolders });
    try {
      expect(readdirSync(exportDir)).toEqual([basename(running)]);
      expect((await download(t.server, '?format=ndjson', ANALYST_KEY)).status).toBe(200);
      // The server names its own folders so: what it writes is what the next start tells apart.
      expect(during.filter((name) => name !== basename(running))).toEqual([expect.stringMatching(new RegExp(`^stedi-export-${process.pid}\\.${start}-`))]);
    } finally {
      await t.close();
    }
  });
});

describe('the export endpoint when its temporary folder is removed while the server runs', () => {
  it('makes the folder again and sends the file', async () => {
    const exportDir = join(makeTempDir('stedi-export-gone-'), 'tmp');
    mkdirSync(exportDir);
    const t = await buildTestApp({ landing: writeSmallLanding(), exportDir });
    try {
      expect((await download(t.server, '?format=csv', ANALYST_KEY)).status).toBe(200);
      // A clean-up of old temporary folders takes it (days without an export).
      rmSync(exportDir, { recursive: true });
      const res = await download(t.server, '?format=csv', ANALYST_KEY);
      expect(res.status).toBe(200);
      expect(await exportedRows(res.body, 'csv')).toHaveLength(4);
      expect(readdirSync(exportDir)).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('the export endpoint and a client that stops reading', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeManyCustomersLanding(5_000, 100).landing, exportStallMs: 1_000 });
  });
  afterAll(() => t.close());

  it('cuts the answer once nothing was read for the stall limit, freeing the connection', async () => {
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    let received = 0;
    let head = '';
    let stopped = false;
    let stopReading: () => void = () => undefined;
    const headersIn = new Promise<void>((resolve) => (stopReading = resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => undefined); // cut short: a reset is one of the ways it may end
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (!head.includes('\r\n\r\n')) head += chunk.toString('latin1');
      // The headers are in: the client stops reading (the kernel's buffers fill, then the server's writes wait).
      if (head.includes('\r\n\r\n') && !stopped) {
        stopped = true;
        socket.pause();
        stopReading();
      }
    });
    socket.write(`GET /export/machine_learning_curated?format=ndjson HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ANALYST_KEY}\r\n\r\n`);
    // The export is written before its headers go out: seconds on a busy host, so its headers are waited for, not a time.
    await headersIn;
    // The client, reading nothing, cannot see the cut: the server's count of open connections does. Without the cut,
    // the server keeps the rest of the answer queued and the connection open for ever.
    const open = (): Promise<number> => new Promise((resolve, reject) => t.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
    while ((await open()) > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    // Reading again: what the kernel held arrives, then the connection ends, short of the whole answer.
    socket.resume();
    await closed;
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    const length = Number(/content-length: (\d+)/i.exec(head)![1]);
    // Larger than what the kernel holds for a paused reader on this machine (up to 32 MiB received, 4 MiB sent).
    expect(length).toBeGreaterThan(40 * 1024 * 1024);
    expect(received).toBeLessThan(length);
  });
});

describe('the export endpoint and a customer hidden while it is sent', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let many: ManyCustomers;
  beforeAll(async () => {
    many = writeManyCustomersLanding(5_000, 100);
    t = await buildTestApp({ landing: many.landing });
  });
  afterAll(() => t.close());

  it("stops sending once the consent registry hides a customer it holds, before that customer's rows go out", async () => {
    // The last serial's rows end the file, beyond what the kernel buffers for a paused reader.
    const last = many.consenting[many.consenting.length - 1];
    const { port } = t.server.address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let head = '';
    let closed = false;
    socket.once('close', () => (closed = true));
    socket.on('error', () => undefined); // cut short: a reset is one of the ways it may end
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!head.includes('\r\n\r\n')) {
        head += chunk.toString('latin1');
        // The export started: the client reads slowly from here (here: not at all until the revocation is read).
        if (head.includes('\r\n\r\n')) socket.pause();
      }
    });
    socket.write(`GET /export/machine_learning_curated?format=ndjson HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${ANALYST_KEY}\r\n\r\n`);
    for (let i = 0; i < 600 && !head.includes('\r\n\r\n'); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    writeRevocation(many.landing, last);
    await t.lake.services.consent.refresh();
    socket.resume();
    for (let i = 0; i < 200 && !closed; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    socket.destroy();
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    const length = Number(/content-length: (\d+)/i.exec(head)![1]);
    const body = Buffer.concat(chunks);
    expect(closed).toBe(true);
    expect(body.length).toBeLessThan(length);
    expect(body.includes(last)).toBe(false);
    // Asked again, the export holds everyone else and not them.
    const again = await download(t.server, '?format=csv', ANALYST_KEY);
    expect(again.status).toBe(200);
    expect(again.body.includes(last)).toBe(false);
    expect(again.body.includes(many.consenting[0])).toBe(true);
  });
});

describe('the export endpoint and a customer hidden while its file is written', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('writes the file again under the consent registry as it is now, without them', async () => {
    const landing = writeSmallLanding();
    let writes = 0;
    // The revocation is read just after the first file was written from the rows before it.
    const revokingOnFirstWrite = afterExportWrites(async (write) => {
      writes = write;
      if (write !== 1) return;
      writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice', consentAt: null, updatedAt: 1_656_000_000_000 })], 'customer-2.json');
      await t.lake.services.consent.refresh();
    });
    t = await buildTestApp({ landing, wrapEngine: revokingOnFirstWrite });
    const res = await download(t.server, '?format=csv', ANALYST_KEY);
    expect(res.status).toBe(200);
    expect(writes).toBe(2);
    const rows = await exportedRows(res.body, 'csv');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.serialNumber === 'serial-bob')).toBe(true);
    expect(res.headers['x-row-count']).toBe(String(rows.length));
  });
});
