import { rename } from 'node:fs/promises';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { columnTextFileNames } from '../../../../etl/engine/duckdb/column-text-file-names';
import { ColumnTextFiles } from '../../../../etl/engine/duckdb/column-text-files';
import type { ColumnTextReader } from '../../../../etl/engine/derived-column-text';
import { makeTempDir } from '../../../helpers/landing-fixture';

/**
 * The engine's store of a version's column texts (DuckDB: files beside the
 * version's table): what is written reads back for any row range, a set is
 * visible only once complete, one writer at a time across processes (a dead
 * process's lock taken over), and a damaged or short set is not opened.
 * Generated texts are seeded; the seed is in the describe name
 * (STEDI_PROPERTY_SEED replays it).
 */

/** Called before each mkdir, writeFile and open (then done): where a test removes a version's folder, as a build expiring it. */
const mockBeforeCall: { hook?: (name: string) => void } = {};

// Renames recorded (and done): the meta file must be the last one put in place.
jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  const hooked =
    <A extends unknown[], R>(name: string, call: (...args: A) => R) =>
    (...args: A): R => {
      mockBeforeCall.hook?.(name);
      return call(...args);
    };
  return { ...actual, rename: jest.fn(actual.rename), mkdir: hooked('mkdir', actual.mkdir), writeFile: hooked('writeFile', actual.writeFile), open: hooked('open', actual.open) };
});

/** Removes `dir` at the first call of one of `names` (once), as a build removes an expired version's folder. */
function expireAtFirst(dir: string, ...names: string[]): void {
  mockBeforeCall.hook = (name) => {
    if (!names.includes(name)) return;
    mockBeforeCall.hook = undefined;
    rmSync(dir, { recursive: true, force: true });
  };
}

afterEach(() => (mockBeforeCall.hook = undefined));

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COLUMNS = ['a', 'b', 'c'];
/** A pid no process has: above the kernel's pid_max ceiling (2^22). */
const DEAD_PID = 2 ** 22 + 7;

const storeIn = (dir = makeTempDir(), version = 'v1') => ({ store: new ColumnTextFiles(join(dir, 'table'), version), names: columnTextFileNames(join(dir, 'table')), dir });

/** Column c's texts of rows [from, to) as the store reads them. */
function readText(reader: ColumnTextReader, c: number, from: number, to: number): string {
  const span = reader.spans(from, to)[c];
  const bytes = Buffer.alloc(span.length + 4);
  reader.read(c, span, bytes, 2);
  return bytes.toString('utf8', 2, 2 + span.length);
}

async function writeSet(store: ColumnTextFiles, chunks: string[][][], digest = 'digest'): Promise<void> {
  const writer = await store.startWrite(COLUMNS);
  expect(writer).toBeDefined();
  for (const chunk of chunks) expect(await writer!.append(chunk)).toBe(true);
  await writer!.finish(digest);
}

const ROWS = [
  [
    ['"x"', '"y,z"'],
    ['1', '2'],
    ['"é😀"', 'null'],
  ],
  [['"w"'], ['3'], ['"\\u2028"']],
];

describe(`a version's column text store (seed ${SEED})`, () => {
  it('reads back any range of rows of what was written, chunk by chunk, as the texts joined by commas', async () => {
    const text = fc.string({ unit: fc.oneof(fc.constantFrom(',', '"', 'é', '😀', '\u0000'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 12 });
    const chunk = fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...COLUMNS.map(() => fc.array(text, { minLength: n, maxLength: n }))));
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), async (chunks, a, b) => {
        const { store } = storeIn();
        await writeSet(store, chunks);
        const reader = store.open(COLUMNS)!;
        try {
          const rows = chunks.reduce((n, columns) => n + columns[0].length, 0);
          expect(reader.meta).toEqual({ version: 'v1', rows, columns: COLUMNS, digest: 'digest' });
          const [from, to] = [a % (rows + 1), b % (rows + 1)].sort((x, y) => x - y);
          COLUMNS.forEach((_, c) => expect(readText(reader, c, from, to)).toBe(chunks.flatMap((columns) => columns[c]).slice(from, to).join(',')));
        } finally {
          reader.close();
        }
      }),
      { seed: SEED, numRuns: 40 },
    );
  });

  it('is not visible until the writer finishes, and its meta is the last file put in place', async () => {
    const { store, names, dir } = storeIn();
    const writer = (await store.startWrite(COLUMNS))!;
    expect(await writer.append(ROWS[0])).toBe(true);
    expect(store.open(COLUMNS)).toBeUndefined();
    expect([names.meta, names.rows, names.column(0)].some((name) => existsSync(name))).toBe(false);
    // The lock is held: no second writer, in this process or another.
    expect(await store.startWrite(COLUMNS)).toBeUndefined();
    const renames = rename as jest.MockedFunction<typeof rename>;
    renames.mockClear();
    await writer.finish('d1');
    expect(renames.mock.calls.map(([, to]) => to)).toEqual([...COLUMNS.map((_, c) => names.column(c)), names.rows, names.checks, names.meta]);
    expect(readdirSync(dir).sort()).toEqual(['table.batch.0', 'table.batch.1', 'table.batch.2', 'table.batch.crc', 'table.batch.json', 'table.batch.rows']);
    const reader = store.open(COLUMNS)!;
    expect(readText(reader, 1, 0, 2)).toBe('1,2');
    reader.close();
    // A complete set is not written again.
    expect(await store.startWrite(COLUMNS)).toBeUndefined();
  });

  it('leaves nothing behind when a write is abandoned, and the next writer may start', async () => {
    const { store, dir } = storeIn();
    const writer = (await store.startWrite(COLUMNS))!;
    await writer.append(ROWS[0]);
    await writer.abandon();
    expect(readdirSync(dir)).toEqual([]);
    await writeSet(store, ROWS);
    expect(store.open(COLUMNS)?.meta.rows).toBe(3);
  });

  // /dev/full refuses every write with ENOSPC: the rows file written last (the offsets one past the last row) is sent there.
  (existsSync('/dev/full') && existsSync('/proc/self/fd') ? it : it.skip)('closes its files when the disk fills as it finishes, so their space is freed at once and nothing is left', async () => {
    const { store, names, dir } = storeIn();
    symlinkSync('/dev/full', `${names.rows}.tmp`);
    const writer = (await store.startWrite(COLUMNS))!;
    await expect(writer.finish('digest')).rejects.toMatchObject({ code: 'ENOSPC' });
    // What a preparer does after any outcome but a finished set.
    await writer.abandon();
    // A file left open keeps a removed file's space until garbage collection closes it (Node warns then).
    const open = readdirSync('/proc/self/fd').map((fd) => {
      try {
        return readlinkSync(join('/proc/self/fd', fd));
      } catch {
        return '';
      }
    });
    expect(open.filter((target) => target.startsWith(dir) || target === '/dev/full')).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
    await writeSet(store, ROWS);
    expect(store.open(COLUMNS)?.meta.rows).toBe(3);
  });

  it("takes over the lock of a process that is gone, and waits for a live one's", async () => {
    const { store, names } = storeIn();
    const plant = (pid: number) => writeFileSync(names.lock, JSON.stringify({ pid, host: hostname(), pidStart: null, owner: 'planted', since: '2026-01-01T00:00:00.000Z', token: 'planted' }));
    plant(process.ppid);
    expect(await store.startWrite(COLUMNS)).toBeUndefined();
    plant(DEAD_PID);
    await writeSet(store, ROWS);
    expect(existsSync(names.lock)).toBe(false);
    expect(store.open(COLUMNS)?.meta.rows).toBe(3);
  });

  it('does not open a set that is damaged or short (no wrong bytes), and writes such a set anew', async () => {
    const { store, names, dir } = storeIn();
    await writeSet(store, ROWS);
    const damages: Array<() => void> = [
      () => truncateSync(names.column(2), 5),
      () => appendFileSync(names.column(0), 'x,'),
      () => truncateSync(names.rows, 20),
      () => writeFileSync(names.meta, '{"format":1,'),
      () => rmSync(names.checks),
      () => appendFileSync(names.checks, 'xxxx'),
    ];
    for (const damage of damages) {
      damage();
      expect(store.open(COLUMNS)).toBeUndefined();
      await writeSet(store, ROWS, 'again');
      expect(store.open(COLUMNS)?.meta.digest).toBe('again');
    }
    // Another version's or other columns' set is not this one.
    expect(new ColumnTextFiles(join(dir, 'table'), 'v2').open(COLUMNS)).toBeUndefined();
    expect(store.open(['a', 'b'])).toBeUndefined();
  });

  it('refuses a read that touches a byte changed since it was written (same size), and reads every other block', async () => {
    const { store, names } = storeIn();
    // Values of 1 KiB: each column file is 300 KiB, 38 blocks of checks (8 KiB each).
    const rows = 300;
    const texts = COLUMNS.map((_, c) => Array.from({ length: rows }, (_, r) => `${c}${r}`.padEnd(1023, 'v')));
    const writer = (await store.startWrite(COLUMNS))!;
    expect(await writer.append(texts)).toBe(true);
    await writer.finish('d');
    // One byte of block 18 of column 1 (bytes 147,456 to 155,647: rows 144 to 151) changes, in place.
    const file = readFileSync(names.column(1));
    file[150 * 1024 + 7] ^= 0x01;
    writeFileSync(names.column(1), file);
    const reader = store.open(COLUMNS)!;
    expect(readText(reader, 1, 0, 140)).toBe(texts[1].slice(0, 140).join(','));
    expect(readText(reader, 1, 160, 300)).toBe(texts[1].slice(160).join(','));
    expect(readText(reader, 0, 0, 300)).toBe(texts[0].join(','));
    expect(() => readText(reader, 1, 150, 151)).toThrow(/column text file 1 fails its check at block 18/);
    expect(() => readText(reader, 1, 0, 300)).toThrow(/fails its check/);
    reader.close();
    // The set is no longer complete: the next preparation writes it anew.
    expect(store.open(COLUMNS)).toBeUndefined();
    await writeSet(store, ROWS, 'again');
    expect(store.open(COLUMNS)?.meta.digest).toBe('again');
  });

  it('refuses a byte changed in place after its block was read and passed: every read checks the bytes it returns', async () => {
    const { store, names } = storeIn();
    await writeSet(store, ROWS);
    const reader = store.open(COLUMNS)!;
    expect(readText(reader, 1, 0, 3)).toBe('1,2,3');
    expect(readText(reader, 1, 0, 3)).toBe('1,2,3');
    const file = readFileSync(names.column(1));
    file[0] = 0x39; // '1' becomes '9': still a number, so only the check can tell
    writeFileSync(names.column(1), file);
    expect(() => readText(reader, 1, 0, 1)).toThrow(/column text file 1 fails its check at block 0/);
    expect(() => readText(reader, 1, 2, 3)).toThrow(/fails its check/);
    reader.close();
    expect(store.open(COLUMNS)).toBeUndefined();
  });

  it('refuses offsets changed in place after they were read: a span is cut only from checked offsets', async () => {
    const { store, names } = storeIn();
    await writeSet(store, ROWS);
    const reader = store.open(COLUMNS)!;
    expect(reader.spans(0, 3)[0]).toEqual({ start: 0, length: '"x","y,z","w"'.length });
    const rows = readFileSync(names.rows);
    rows[COLUMNS.length * 4] += 1; // row 1's start in column 0
    writeFileSync(names.rows, rows);
    expect(() => reader.spans(1, 3)).toThrow(/column text file 3 fails its check at block 0/);
    reader.close();
  });

  it('refuses a row range outside the set, and a read past a file cut short after it was opened', async () => {
    const { store, names } = storeIn();
    await writeSet(store, ROWS);
    const reader = store.open(COLUMNS)!;
    expect(() => reader.spans(1, 4)).toThrow(RangeError);
    expect(() => reader.spans(2, 1)).toThrow(RangeError);
    truncateSync(names.column(0), 3);
    expect(() => readText(reader, 0, 0, 3)).toThrow(/ends before/);
    reader.close();
  });

  it('refuses to read once closed (its descriptors may name other files by then), and closes once however often it is told', async () => {
    const { store } = storeIn();
    await writeSet(store, ROWS);
    const reader = store.open(COLUMNS)!;
    const span = reader.spans(0, 1)[0];
    reader.close();
    reader.close();
    expect(() => reader.spans(0, 1)).toThrow(/closed/);
    expect(() => reader.read(0, span, Buffer.alloc(span.length), 0)).toThrow(/closed/);
  });

  it('writes nothing for a version whose folder is gone (expired)', async () => {
    const { store } = storeIn(join(makeTempDir(), 'gone'));
    expect(await store.startWrite(COLUMNS)).toBeUndefined();
  });

  it('never makes again the folder of a version that expires as its write starts, and writes nothing there', async () => {
    const dir = join(makeTempDir(), 'v=1');
    mkdirSync(dir);
    const { store } = storeIn(dir);
    // Removed at the first file call of the write: before its lock is taken.
    expireAtFirst(dir, 'mkdir', 'writeFile', 'open');
    expect(await store.startWrite(COLUMNS)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });

  it('answers as for an expired version when its folder goes after the lock is taken, before the files are made', async () => {
    const dir = join(makeTempDir(), 'v=1');
    mkdirSync(dir);
    const { store } = storeIn(dir);
    expireAtFirst(dir, 'open');
    expect(await store.startWrite(COLUMNS)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
  });
});
