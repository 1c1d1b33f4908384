import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLake, quarantineOf } from '../helpers/etl-lake';
import { accelerometerRecord, customerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';
import { tallyOfCounts, tallyOfReasons } from '../helpers/reason-tally';

interface Quarantined {
  sourceFile: string;
  lineNumber: number;
  reason: string;
  line: string;
  lineBase64?: string;
}

const readQuarantine = (dir: string, source: string): Quarantined[] =>
  readFileSync(join(dir, `${source}.ndjson`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Quarantined);

describe('bad landing input', () => {
  const good = accelerometerRecord('alice', 1_655_000_003_000);
  const bad: Array<[string, string]> = [
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": 1,', 'malformed JSON'],
    ['not json at all', 'malformed JSON'],
    ['[1, 2, 3]', 'not a JSON object'],
    ['"just a string"', 'not a JSON object'],
    [JSON.stringify({ ...good, x: undefined }), 'missing required field "x"'],
    [JSON.stringify({ ...good, user: null }), 'missing required field "user"'],
    [JSON.stringify({ ...good, x: 'abc' }), 'field "x" must be a number, got a string'],
    [JSON.stringify({ ...good, timestamp: 1.5 }), 'field "timestamp" must be a whole number, got a fraction'],
    [JSON.stringify({ ...good, user: 42 }), 'field "user" must be a string, got a number'],
    ['{"user": "alice@test.com", "timestamp": 99999999999999999999, "x": 1, "y": 1, "z": 1}', 'field "timestamp" is outside ±(2^53 - 1)'],
    ['{"user": "alice@test.com", "timestamp": 9007199254740992, "x": 1, "y": 1, "z": 1}', 'field "timestamp" is outside ±(2^53 - 1)'],
    [JSON.stringify({ ...good, y: true }), 'field "y" must be a number, got a boolean'],
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": NaN, "y": 1, "z": 1}', 'NaN or Infinity is not JSON'],
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": -Infinity, "y": 1, "z": 1}', 'NaN or Infinity is not JSON'],
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": 1e309, "y": 1, "z": 1}', 'number out of range'],
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": 1, "y": 1, "z": 1, "x": 2}', 'duplicate key "x"'],
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": 1, "y": 1, "z": 1, "n": {"a": 1, "a": 2}}', 'duplicate key'],
    ['{"user": "alice\u0001@test.com", "timestamp": 1655000003000, "x": 1, "y": 1, "z": 1}', 'control character inside a string'],
    ['{"user": "\\ud800", "timestamp": 1655000003000, "x": 1, "y": 1, "z": 1}', 'unpaired surrogate escape in a string'],
    [`${JSON.stringify(good)}\u0001garbage`, 'text after the JSON value'],
    [`\ufeff${JSON.stringify(good)}`, 'starts with a byte order mark'],
    [`${'['.repeat(70)}${']'.repeat(70)}`, 'nested deeper than 64 levels'],
  ];

  it('quarantines every kind of bad line with its file, line number and reason, and keeps the good ones', async () => {
    const landing = writeSmallLanding();
    const file = writeLanding(landing, 'accelerometer', [good, ...bad.map(([line]) => line), '', '   ', good], 'accelerometer-dirty.json');
    const version = await buildLake(landing);

    const { quarantineReasons, ...counts } = version.landingCounts.accelerometer;
    expect(counts).toEqual({ lines: 5 + 2 + bad.length + 2, accepted: 5 + 2, quarantined: bad.length, blank: 2 });
    expect(tallyOfCounts(quarantineReasons)).toEqual(tallyOfReasons(bad.map(([, reason]) => reason)));
    const quarantined = readQuarantine(quarantineOf(version), 'accelerometer');
    expect(quarantined.map((q) => [q.lineNumber, q.reason])).toEqual(bad.map(([, reason], i) => [i + 2, reason]));
    expect(quarantined.map((q) => q.line)).toEqual(bad.map(([line]) => line));
    expect(quarantined.every((q) => q.sourceFile === file)).toBe(true);
    expect(quarantined[0].line).toBe(bad[0][0]);
    // The good line written twice is an exact duplicate of itself: one trusted reading.
    expect(version.tables.accelerometer_trusted.rows).toBe(4 + 1);
  });

  it('accepts Windows line endings and a missing final newline', async () => {
    const landing = writeSmallLanding();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(landing, 'accelerometer', 'landing', 'crlf.json'), `${JSON.stringify(good)}\r\n${JSON.stringify({ ...good, x: 9 })}`);
    const version = await buildLake(landing);
    expect(version.landingCounts.accelerometer).toEqual({ lines: 7, accepted: 7, quarantined: 0, blank: 0, quarantineReasons: [] });
  });

  it('splits lines on \\n only, reads CR as JSON whitespace, and quarantines invalid UTF-8 and too-long lines instead of failing', async () => {
    const landing = writeSmallLanding();
    const { writeFileSync } = await import('node:fs');
    const line = JSON.stringify(good);
    const parts = [
      Buffer.from(`${line.replace(',', ',\r ')}\n`), // CR inside the line's whitespace: accepted
      Buffer.from(`${line}\r${line}\n`), // a lone CR does not split a line: trailing text
      Buffer.concat([Buffer.from(line.slice(0, 10)), Buffer.from([0xff, 0xfe]), Buffer.from(`${line.slice(10)}\n`)]), // invalid UTF-8
      Buffer.from(`{"user": "${'a'.repeat(2 * 1024 * 1024)}"}\n`), // over the 1 MiB limit
      Buffer.from(`${' '.repeat(3 * 1024 * 1024)}\n`), // blank, however long
      Buffer.from(`\t \r\n`),
      Buffer.from(line),
    ];
    writeFileSync(join(landing, 'accelerometer', 'landing', 'raw.json'), Buffer.concat(parts));
    const version = await buildLake(landing);
    expect(version.landingCounts.accelerometer).toEqual({
      lines: 5 + 7,
      accepted: 5 + 2,
      quarantined: 3,
      blank: 2,
      quarantineReasons: [
        { reason: 'invalid UTF-8', count: 1 },
        { reason: 'line longer than 1048576 bytes', count: 1 },
        { reason: 'text after the JSON value', count: 1 },
      ],
    });
    const quarantined = readQuarantine(quarantineOf(version), 'accelerometer');
    expect(quarantined.map((q) => [q.lineNumber, q.reason])).toEqual([
      [2, 'text after the JSON value'],
      [3, 'invalid UTF-8'],
      [4, 'line longer than 1048576 bytes'],
    ]);
    expect(Buffer.from(quarantined[1].lineBase64 as unknown as string, 'base64')).toEqual(parts[2].subarray(0, -1));
  });

  it('quarantines customer records that lack an identity', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', ['{"customerName": "x", "serialNumber": "s", "registrationDate": 1, "lastUpdateDate": 1}'], 'customer-2.json');
    const version = await buildLake(landing);
    expect(version.landingCounts.customer.quarantined).toBe(1);
    expect(readQuarantine(quarantineOf(version), 'customer')[0].reason).toBe('missing required field "email"');
  });

  it('fails with a message naming the folder when a landing folder is missing or empty', async () => {
    const landing = makeTempDir();
    // Each other source holds a record: a source of no records is refused too (tests/cli/empty-landing-files.test.ts).
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice' })]);
    await expect(buildLake(landing)).rejects.toThrow(`landing folder ${join(landing, 'accelerometer', 'landing')} does not exist`);
    writeLanding(landing, 'accelerometer', [accelerometerRecord('alice', 1_655_000_001_000)]);
    writeLanding(landing, 'step_trainer', []);
    const { rmSync } = await import('node:fs');
    rmSync(join(landing, 'step_trainer', 'landing', 'step_trainer-1.json'));
    await expect(buildLake(landing)).rejects.toThrow(`landing folder ${join(landing, 'step_trainer', 'landing')} holds no .json files`);
  });
});
