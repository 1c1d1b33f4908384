import { join } from 'node:path';
import { runBuild } from '../../../../etl/build';
import type { ConsentPolicy } from '../../../../etl/consent-policy';
import { AthenaEngine } from '../../../../etl/engine/athena/athena-engine';
import { SOURCES } from '../../../../etl/tables';
import { AthenaOnDuckDb } from '../../../helpers/athena-on-duckdb';
import { fakeAws } from '../../../helpers/fake-aws';
import { buildLake, readTable } from '../../../helpers/etl-lake';
import { accelerometerRecord, customerRecord, emailOf, writeLanding, writeSmallLanding } from '../../../helpers/landing-fixture';
import { writeAddressesBeyondLanding, writeDeclaredBeyondLanding } from '../../../helpers/addresses-beyond-landing';
import { STEDI_SAMPLE_DIR, describeWithStediSample } from '../../../helpers/stedi-sample';
import { tallyOfCounts, tallyOfReasons } from '../../../helpers/reason-tally';
import { BEYOND_DECLARED, ESCAPED_IN_BAD_LINE, INVISIBLE_IN_SERIAL, UUID_FORMS, withheldBeyond, withheldDict, withheldRecord, writeRespelledLanding } from '../../../helpers/respelled-serials-landing';
import { REASONS } from '../../../../etl/landing/landing-rules';
import { writeAddressesWithinLanding } from '../../../helpers/addresses-within-landing';
import { writeAddressesWholeLanding } from '../../../helpers/addresses-whole-landing';

/**
 * The Athena build's own SQL (landing checks, typed views, bindings, CTAS
 * bodies, checks) run on DuckDB through the Athena stand-in: the logic, not
 * Athena itself, is what these tests prove.
 */

const LAKE = 's3://example-bucket/stedi';

async function buildOnAthena(landing: string, consentPolicy: ConsentPolicy = 'any') {
  const aws = fakeAws();
  const duck = await AthenaOnDuckDb.create(aws.s3, Object.fromEntries(SOURCES.map((s) => [`${LAKE}/${s}/landing/`, join(landing, s, 'landing')])));
  aws.athena.handler = duck.handler;
  const engine = new AthenaEngine({ lake: LAKE }, aws.clients);
  try {
    const version = await runBuild(await engine.buildTarget({}), { consentPolicy });
    // The raw line as bytes: the DuckDB client drops a leading BOM when it decodes text.
    const rows = await duck.connection.runAndReadAll(`SELECT "sourceFile", "reason", to_base64(encode("line")) AS "line" FROM stedi.accelerometer_quarantine__${version.version}`);
    const quarantine = rows.getRowObjectsJS().map((q) => ({ sourceFile: String(q.sourceFile), reason: String(q.reason), line: Buffer.from(String(q.line), 'base64').toString('utf8') }));
    return { version, quarantine, engine, duck };
  } catch (error) {
    duck.close();
    throw error;
  }
}

/** Builds `landing` on both engines, expecting the same customers uncertain and the same ones served; returns both builds. */
async function expectHiddenAlike(landing: string, uncertain: number, served: string[]) {
  const onDuckDb = await buildLake(landing);
  const { version, duck } = await buildOnAthena(landing);
  try {
    expect([onDuckDb.landingCounts.customer.uncertain, version.landingCounts.customer.uncertain]).toEqual([uncertain, uncertain]);
    expect((await readTable(onDuckDb, 'customer_trusted', '"email"')).map((r) => r.email)).toEqual(served);
    const onAthena = await duck.connection.runAndReadAll(`SELECT "email" FROM stedi.customer_trusted__${version.version} ORDER BY 1`);
    expect(onAthena.getRows().map((r) => String(r[0]))).toEqual(served);
    return { onDuckDb, version };
  } finally {
    duck.close();
  }
}

describeWithStediSample('the zones built on Athena from the real STEDI data', () => {
  it.each([
    ['any', { customer_trusted: 482, accelerometer_trusted: 40_981, step_trainer_trusted: 14_460, customer_curated: 482, machine_learning_curated: 40_981 }],
    ['as-of', { customer_trusted: 482, accelerometer_trusted: 32_025, step_trainer_trusted: 11_297, customer_curated: 464, machine_learning_curated: 32_025 }],
  ] as const)('match the exact counts under the %s policy', async (policy, expected) => {
    const { version, duck } = await buildOnAthena(STEDI_SAMPLE_DIR, policy);
    try {
      expect(version.landingCounts).toEqual({
        customer: { lines: 956, accepted: 956, quarantined: 0, blank: 0, uncertain: 0, quarantineReasons: [] },
        accelerometer: { lines: 81_273, accepted: 81_273, quarantined: 0, blank: 0, quarantineReasons: [] },
        step_trainer: { lines: 28_680, accepted: 28_680, quarantined: 0, blank: 0, quarantineReasons: [] },
      });
      expect(Object.fromEntries(Object.entries(expected).map(([t]) => [t, version.tables[t as keyof typeof expected].rows]))).toEqual(expected);
      expect(version.checks.every((c) => c.violations === 0)).toBe(true);
    } finally {
      duck.close();
    }
    // The stand-in runs Trino's JSON functions in JavaScript on every one of the 110,909 landing lines.
  }, 180_000);
});

describe('bad landing input on Athena', () => {
  const good = accelerometerRecord('alice', 1_655_000_003_000);
  const bad: Array<[string, string]> = [
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": 1,', 'malformed JSON'],
    ['not json at all', 'malformed JSON'],
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": NaN, "y": 1, "z": 1}', 'NaN or Infinity is not JSON'],
    [`${JSON.stringify(good)}\u0001garbage`, 'text after the JSON value'],
    [`${JSON.stringify(good)}${JSON.stringify(good)}`, 'text after the JSON value'],
    ['[1, 2, 3]', 'not a JSON object'],
    // A root number or word run into text: Jackson calls it malformed, the embedded reader reads the value first.
    ['8X', 'text after the JSON value'],
    ['truex', 'text after the JSON value'],
    ['1e400x', 'number out of range'],
    ['Nope', 'NaN or Infinity is not JSON'],
    [JSON.stringify(good).replace('{', '{"x": 7, '), 'duplicate key "x"'],
    [JSON.stringify(good).replace('{', '{"extra": 7, "extra": 8, '), 'duplicate key'],
    [`\ufeff${JSON.stringify(good)}`, 'starts with a byte order mark'],
    [JSON.stringify({ ...good, x: undefined }), 'missing required field "x"'],
    [JSON.stringify({ ...good, user: null }), 'missing required field "user"'],
    [JSON.stringify({ ...good, x: 'abc' }), 'field "x" must be a number, got a string'],
    [JSON.stringify({ ...good, user: 42 }), 'field "user" must be a string, got a number'],
    [JSON.stringify({ ...good, timestamp: 1.5 }), 'field "timestamp" must be a whole number, got a fraction'],
    ['{"user": "alice@test.com", "timestamp": 9007199254740992, "x": 1, "y": 1, "z": 1}', 'field "timestamp" is outside ±(2^53 - 1)'],
    ['{"user": "alice@test.com", "timestamp": 1655000003000, "x": 1e309, "y": 1, "z": 1}', 'number out of range'],
    [JSON.stringify({ ...good, y: true }), 'field "y" must be a number, got a boolean'],
    [JSON.stringify({ ...good, z: { a: 1 } }), 'field "z" must be a number, got an object'],
  ];

  it('quarantines every bad line with its file, reason and raw text, skips blank lines, and keeps the good ones', async () => {
    const landing = writeSmallLanding();
    const whole = JSON.stringify({ ...good, timestamp: 1.655000004e12, x: 2.0 });
    writeLanding(landing, 'accelerometer', [good, ...bad.map(([line]) => line), '', '   \t ', whole], 'accelerometer-dirty.json');
    const { version, quarantine, duck } = await buildOnAthena(landing);
    try {
      const { quarantineReasons, ...counts } = version.landingCounts.accelerometer;
      expect(counts).toEqual({ lines: 5 + 2 + bad.length + 2, accepted: 5 + 2, quarantined: bad.length, blank: 2 });
      expect(tallyOfCounts(quarantineReasons)).toEqual(tallyOfReasons(bad.map(([, reason]) => reason)));
      expect(quarantine.map((q) => [q.line, q.reason])).toEqual(expect.arrayContaining(bad));
      expect(quarantine).toHaveLength(bad.length);
      expect(quarantine.every((q) => String(q.sourceFile).endsWith('accelerometer-dirty.json'))).toBe(true);
      // 1.655000004e12 is a whole number: that line is accepted, a reading of its own.
      expect(version.tables.accelerometer_trusted.rows).toBe(4 + 2);
      expect(version.quarantine).toBe(`${LAKE}/_quarantine/v=${version.version}/`);
    } finally {
      duck.close();
    }
  });

  it('refuses a landing whose lines are all blank instead of publishing an empty lake', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', ['', '  '], 'customer.json');
    for (const file of ['customer-1.json', 'customer-2.json']) writeLanding(landing, 'customer', [''], file);
    await expect(buildOnAthena(landing)).rejects.toThrow(
      `the landing prefix ${LAKE}/customer/landing/ holds no customer records (0 non-blank lines): upload the data there, or point --landing / STEDI_LANDING at the prefix holding customer/landing/`,
    );
  });
});

describe('accelerometer_trusted on Athena', () => {
  it('has the shape DuckDB builds: each reading with its customer\'s serialNumber, shared serials left out', async () => {
    const landing = writeSmallLanding();
    // dan and eve claim one serial: neither they nor their readings are trusted.
    writeLanding(landing, 'customer', [customerRecord({ name: 'dan', serial: 'serial-shared' }), customerRecord({ name: 'eve', serial: 'serial-shared' })], 'customer-2.json');
    writeLanding(landing, 'accelerometer', [accelerometerRecord('dan', 1_655_000_001_000), accelerometerRecord('eve', 1_655_000_001_000)], 'accelerometer-2.json');
    const onDuckDb = await buildLake(landing);
    const { version, duck } = await buildOnAthena(landing);
    try {
      const columns = '"user", "timestamp", "x", "y", "z", "serialNumber"';
      const onAthena = (await duck.connection.runAndReadAll(`SELECT ${columns} FROM stedi.accelerometer_trusted__${version.version} ORDER BY 1, 2, 3`)).getRowObjectsJS();
      const expected = await readTable(onDuckDb, 'accelerometer_trusted', '1, 2, 3');
      expect(Object.keys(expected[0])).toEqual(['user', 'timestamp', 'x', 'y', 'z', 'serialNumber']);
      expect(onAthena.map((r) => ({ ...r, timestamp: Number(r.timestamp) }))).toEqual(expected);
      expect(expected.map((r) => `${r.user} ${r.serialNumber}`)).toEqual([
        'alice@test.com serial-alice',
        'alice@test.com serial-alice',
        'alice@test.com serial-alice',
        'bob@test.com serial-bob',
      ]);
      expect(version.checks.every((c) => c.violations === 0)).toBe(true);
    } finally {
      duck.close();
    }
  });
});

describe('doubt hides on Athena', () => {
  /** A customer line cut short (a typo), so it is quarantined while its email stays readable. */
  const cut = (record: Record<string, unknown>): string => JSON.stringify(record).replace(/}$/, ',');
  const revokedAt = 1_655_000_009_000;

  it('hides the customers the DuckDB engine hides, with the same blank, quarantined and consent-uncertain counts', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'dave', serial: 'serial-dave' }), customerRecord({ name: 'erin', serial: 'serial-erin' })], 'customer-0.json');
    writeLanding(
      landing,
      'customer',
      [
        // bob's revocation with a typo, newer than his valid record: hidden.
        cut(customerRecord({ name: 'bob', serial: 'serial-bob', consentAt: null, updatedAt: revokedAt })),
        // alice's bad line (refused for its phone, so read to its end) is older than her valid record: cleared.
        JSON.stringify({ ...customerRecord({ name: 'alice', serial: 'serial-alice', updatedAt: 1_600_000_000_000 }), phone: 5 }),
        // dave's email written with an escape, after a non-breaking space (JavaScript's \s): still read, hidden.
        cut(customerRecord({ name: 'dave', serial: 'serial-dave', updatedAt: revokedAt })).replace('"email":"dave', '"email"\u00a0: "d\\u0061ve'),
        // frank has no valid record at all: uncertain, though nobody to hide.
        '{"email": "frank@test.com", "lastUpdateDate": 1, "lastUpdateDate": 2,',
        '',
        '  \t',
      ],
      'customer-1b.json',
    );
    writeLanding(landing, 'customer', [customerRecord({ name: 'alice', serial: 'serial-alice' })], 'customer-2.json');
    const onDuckDb = await buildLake(landing);
    const { version, duck } = await buildOnAthena(landing);
    try {
      // Reasons may differ on a line with two faults (frank's: a duplicate key first on DuckDB, malformed JSON on Athena); their totals do not.
      const withoutReasons = (counts: typeof onDuckDb.landingCounts) => Object.fromEntries(Object.entries(counts).map(([s, { quarantineReasons, ...c }]) => [s, { ...c, reasonTotal: (quarantineReasons ?? []).reduce((n, r) => n + r.count, 0) }]));
      expect(withoutReasons(version.landingCounts)).toEqual(withoutReasons(onDuckDb.landingCounts));
      expect(version.landingCounts.customer).toEqual({ lines: 3 + 2 + 6 + 1, accepted: 3 + 2 + 1, quarantined: 4, blank: 2, uncertain: 3, quarantineReasons: expect.any(Array) });
      const onAthena = await duck.connection.runAndReadAll(`SELECT "email" FROM stedi.customer_trusted__${version.version} ORDER BY 1`);
      const trusted = onAthena.getRows().map((r) => String(r[0]));
      expect(trusted).toEqual((await readTable(onDuckDb, 'customer_trusted', '"email"')).map((r) => r.email));
      expect(trusted).toEqual(['alice@test.com', 'erin@test.com']);
    } finally {
      duck.close();
    }
  });

  it.each([
    ['quarantines a customer line whose serialNumber is not visible ASCII, and holds back the device it names', INVISIBLE_IN_SERIAL, withheldRecord, 2],
    ['hides a customer whose device a quarantined line names with an escape or a mark inside the serial', ESCAPED_IN_BAD_LINE, withheldDict, 1],
    ['hides a customer whose device a quarantined line names as the same UUID in another text form', UUID_FORMS, withheldDict, 1],
  ] as const)('%s, as the embedded engine does', async (_what, spellings, lineOf, uncertainEach) => {
    const { version, duck } = await buildOnAthena(writeRespelledLanding(spellings, lineOf));
    try {
      expect(version.landingCounts.customer).toMatchObject({ quarantined: spellings.length, uncertain: uncertainEach * spellings.length });
      if (lineOf === withheldRecord) expect(version.landingCounts.customer.quarantineReasons).toEqual([{ reason: REASONS.notVisibleAscii('serialNumber'), count: spellings.length }]);
      const trusted = await duck.connection.runAndReadAll(`SELECT "email" FROM stedi.customer_trusted__${version.version} ORDER BY 1`);
      expect(trusted.getRows().map((r) => String(r[0]))).toEqual(['bob@test.com']);
      expect(version.tables.step_trainer_trusted.rows).toBe(1);
    } finally {
      duck.close();
    }
  });

  it('hides a customer whose device another customer\'s valid record names beyond the declared fields (BEYOND_DECLARED), as the embedded engine does', async () => {
    const { version, duck } = await buildOnAthena(writeRespelledLanding(BEYOND_DECLARED, withheldBeyond));
    try {
      expect(version.landingCounts.customer).toMatchObject({ quarantined: 0, uncertain: BEYOND_DECLARED.length });
      const trusted = await duck.connection.runAndReadAll(`SELECT "email" FROM stedi.customer_trusted__${version.version} ORDER BY 1`);
      expect(trusted.getRows().map((r) => String(r[0]))).toEqual(['bob@test.com']);
      expect(version.tables.step_trainer_trusted.rows).toBe(1);
    } finally {
      duck.close();
    }
  });

  it('hides the customers whose device or email a lone CR cuts inside a bad line, as the embedded engine does (Athena alone ends a line there)', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', [customerRecord({ name: 'dave', serial: 'serial-dave' }), customerRecord({ name: 'erin', serial: 'serial-erin' })], 'customer-0.json');
    // Not JSON: alice's device (in capitals) and dave's address, each cut by a CR; erin and bob are named by no line.
    writeLanding(landing, 'customer', ['serial=SERIAL-AL\rICE&withdrawn=1', 'revoked by dave@te\rst.com for good', 'noise\rmore noise'], 'customer-2.json');
    const { onDuckDb, version } = await expectHiddenAlike(landing, 2, ['bob@test.com', 'erin@test.com']);
    expect(version.tables.step_trainer_trusted.rows).toBe(onDuckDb.tables.step_trainer_trusted.rows);
  });

  it('hides a customer whose address another valid record writes inside other text, and that record, as the embedded engine does', async () => {
    await expectHiddenAlike(writeAddressesWithinLanding(), 4, ['dave@test.com', 'x.dave@test.com']);
  });

  it('hides a customer whose address a quarantined line writes whole (camelCase joins too) or a valid withdrawal percent-encoded, with a braille blank or drawn right to left, and serves one whose address only ends another, as the embedded engine does', async () => {
    await expectHiddenAlike(writeAddressesWholeLanding(), 16, ['lice@test.com', 'y@test.com']);
  });

  it('hides a customer whose address another customer\'s newer valid record names beyond the declared fields, as the embedded engine does, and never that record\'s writer', async () => {
    const { version, duck } = await buildOnAthena(writeAddressesBeyondLanding());
    try {
      expect(version.landingCounts.customer).toMatchObject({ quarantined: 0, uncertain: 2 });
      const trusted = await duck.connection.runAndReadAll(`SELECT "email" FROM stedi.customer_trusted__${version.version} ORDER BY 1`);
      expect(trusted.getRows().map((r) => String(r[0]))).toEqual(['bob', 'dave', 'erin', 'gus', 'mallory'].map(emailOf));
      expect(version.tables.step_trainer_trusted.rows).toBe(5);
    } finally {
      duck.close();
    }
  });

  it('searches only the members beyond the declared fields of such a record, as the embedded engine does: its declared customerName names no one', async () => {
    const landing = writeDeclaredBeyondLanding();
    const onDuckDb = await buildLake(landing);
    const { version, duck } = await buildOnAthena(landing);
    try {
      expect([onDuckDb.landingCounts.customer.uncertain, version.landingCounts.customer.uncertain]).toEqual([1, 1]);
      const served = ['alice', 'carol', 'mallory'].map(emailOf);
      expect((await readTable(onDuckDb, 'customer_trusted', '"email"')).map((r) => r.email)).toEqual(served);
      const onAthena = await duck.connection.runAndReadAll(`SELECT "email" FROM stedi.customer_trusted__${version.version} ORDER BY 1`);
      expect(onAthena.getRows().map((r) => String(r[0]))).toEqual(served);
    } finally {
      duck.close();
    }
  });

  it('keeps a customer hidden on both engines when the bad line has no date to compare, whatever valid record follows it', async () => {
    const landing = writeSmallLanding();
    writeLanding(landing, 'customer', ['{"email": "bob@test.com", "lastUpdateDate": 1, "lastUpdateDate": 2,', customerRecord({ name: 'bob', serial: 'serial-bob' })], 'customer-1b.json');
    const onDuckDb = await buildLake(landing);
    const { version, duck } = await buildOnAthena(landing);
    try {
      expect([onDuckDb.landingCounts.customer.uncertain, version.landingCounts.customer.uncertain]).toEqual([1, 1]);
      expect((await readTable(onDuckDb, 'customer_trusted', '"email"')).map((r) => r.email)).toEqual(['alice@test.com']);
      const onAthena = await duck.connection.runAndReadAll(`SELECT "email" FROM stedi.customer_trusted__${version.version} ORDER BY 1`);
      expect(onAthena.getRows().map((r) => String(r[0]))).toEqual(['alice@test.com']);
    } finally {
      duck.close();
    }
  });
});
