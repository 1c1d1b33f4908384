import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLake, quarantineOf } from '../helpers/etl-lake';
import { accelerometerRecord, makeTempDir, writeLanding, writeSmallLanding } from '../helpers/landing-fixture';

interface Quarantined {
  sourceFile: string;
  lineNumber: number;
  reason: string;
  line: string;
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
    [JSON.stringify({ ...good, x: 'abc' }), 'field "x" must be a number, got varchar'],
    [JSON.stringify({ ...good, timestamp: 1.5 }), 'field "timestamp" must be a whole number, got double'],
    [JSON.stringify({ ...good, user: 42 }), 'field "user" must be a string, got ubigint'],
    ['{"user": "alice@test.com", "timestamp": 99999999999999999999, "x": 1, "y": 1, "z": 1}', 'field "timestamp" must be a whole number, got double'],
    [JSON.stringify({ ...good, y: true }), 'field "y" must be a number, got boolean'],
  ];

  it('quarantines every kind of bad line with its file, line number and reason, and keeps the good ones', async () => {
    const landing = writeSmallLanding();
    const file = writeLanding(landing, 'accelerometer', [good, ...bad.map(([line]) => line), '', '   ', good], 'accelerometer-dirty.json');
    const version = await buildLake(landing);

    const counts = version.landingCounts.accelerometer;
    expect(counts).toEqual({ lines: 5 + 2 + bad.length, accepted: 5 + 2, quarantined: bad.length });
    const quarantined = readQuarantine(quarantineOf(version), 'accelerometer');
    expect(quarantined.map((q) => [q.lineNumber, q.reason])).toEqual(bad.map(([, reason], i) => [i + 2, reason]));
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
    expect(version.landingCounts.accelerometer).toEqual({ lines: 7, accepted: 7, quarantined: 0 });
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
    writeLanding(landing, 'customer', []);
    await expect(buildLake(landing)).rejects.toThrow(`landing folder ${join(landing, 'accelerometer', 'landing')} does not exist`);
    writeLanding(landing, 'accelerometer', []);
    writeLanding(landing, 'step_trainer', []);
    const { rmSync } = await import('node:fs');
    rmSync(join(landing, 'step_trainer', 'landing', 'step_trainer-1.json'));
    await expect(buildLake(landing)).rejects.toThrow(`landing folder ${join(landing, 'step_trainer', 'landing')} holds no .json files`);
  });
});
