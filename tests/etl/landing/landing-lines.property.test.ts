import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import fc from 'fast-check';
import { readLanding } from '../../../etl/landing/landing-reader';
import { SOURCES, TABLES, type Source } from '../../../etl/tables';
import { ADMIN_KEY, buildTestApp } from '../../helpers/http-app';
import { makeTempDir } from '../../helpers/landing-fixture';
import { type RefLine, referenceConsent, referenceLine, splitLines } from '../../helpers/landing-reference';

/**
 * Hostile landing lines: valid records mixed with every defect the landing
 * rules name, random bytes, BOMs, CRs, control characters, deep nesting and
 * huge numbers. Build, registry and a plain JSON.parse reference must agree.
 * Reproduce a failure with STEDI_PROPERTY_SEED=<seed printed below>.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = 5;
const LINES_PER_SOURCE = 160; // 5 runs x 3 sources x 160 = 2,400 lines per run of the suite
const DOUBT_RUNS = 300;

// Two respell others (full-width ａ, a zero-width space): one address each, so both spellings are uncertain.
const EMAILS = ['ann@t.com', 'bob@t.com', 'cy@t.com', 'dee@t.com', 'eve@t.com', '\uff41nn@t.com', 'bob\u200b@t.com'];
const SERIALS = ['s-1', 's-2', 's-3', 's-4', 's-5'];
const T0 = 1_655_000_000_000;

const customer = fc.record({
  customerName: fc.constantFrom('Ann', 'Bob', 'Cy'),
  email: fc.constantFrom(...EMAILS),
  phone: fc.constantFrom('8015551212', null),
  birthDay: fc.constant('1990-01-01'),
  serialNumber: fc.constantFrom(...SERIALS),
  registrationDate: fc.constant(T0 - 1000),
  lastUpdateDate: fc.integer({ min: 0, max: 4 }).map((k) => T0 + k * 1000),
  shareWithResearchAsOfDate: fc.constantFrom(null, T0 - 5000, T0, T0 + 2500),
  shareWithPublicAsOfDate: fc.constant(null),
  shareWithFriendsAsOfDate: fc.constant(null),
});
const accelerometer = fc.record({
  user: fc.constantFrom(...EMAILS),
  timestamp: fc.integer({ min: -3, max: 6 }).map((k) => T0 + k * 1000),
  x: fc.double({ noNaN: true, noDefaultInfinity: true }),
  y: fc.constantFrom(0, -1.5, 2),
  z: fc.constantFrom(1, 0.25),
});
const stepTrainer = fc.record({
  sensorReadingTime: fc.integer({ min: -3, max: 6 }).map((k) => T0 + k * 1000),
  serialNumber: fc.constantFrom(...SERIALS),
  distanceFromObject: fc.integer({ min: 0, max: 400 }),
});

type Defect = (text: string) => fc.Arbitrary<Buffer>;
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const beforeClose = (text: string, insert: string): string => `${text.slice(0, -1)}${insert}}`;
const replaceValue = (text: string, literal: string): string => text.replace(/:(-?[0-9.e+-]+|null)([,}])/, `:${literal}$2`);

const DEFECTS: Array<[number, Defect]> = [
  [12, (t) => fc.constant(bytes(t))],
  [2, (t) => fc.constant(bytes(`${t}\r`))],
  [1, (t) => fc.constant(bytes(t.replace(',', ',\r ')))],
  [1, (t) => fc.constant(bytes(t.replace('"', '"\r')))],
  [2, (t) => fc.constantFrom(',"shareWithResearchAsOfDate":null', ',"email":"zed@t.com"', ',"x":1', ',"serialNumber":"s-9"', ',"em\\u0061il":"ann@t.com"').map((d) => bytes(beforeClose(t, d)))],
  [2, (t) => fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e309', '-1e400', '9007199254740993', '123456789012345678901234567890', '1.5', '1.0', '1e3', '"12"', 'true', '{}', '[]', '1655000000', '0', '-1').map((v) => bytes(replaceValue(t, v)))],
  // A customer date written in seconds (a revocation among them): quarantined, never compared with milliseconds.
  [1, (t) => fc.constantFrom('lastUpdateDate', 'shareWithResearchAsOfDate', 'registrationDate').map((key) => bytes(t.replace(new RegExp(`"${key}":(\\d+)`), (_, ms: string) => `"${key}":${Math.floor(Number(ms) / 1000)}`)))],
  [1, (t) => fc.integer({ min: 0, max: 0x1f }).map((c) => bytes(t.replace('@', `@${String.fromCharCode(c)}`)))],
  // Still valid: an address (the writer's own or another's) beyond the declared fields names it as a bad line would.
  [2, (t) => fc.tuple(fc.constantFrom(...EMAILS, 'ANN@T.COM'), fc.constantFrom('previousEmail', 'meta', 'notes')).map(([email, key]) => {
    const value = key === 'meta' ? JSON.stringify({ email, shareWithResearchAsOfDate: null }) : JSON.stringify(key === 'notes' ? `moved from <${email}>.` : email);
    return bytes(beforeClose(t, `,"${key}":${value}`));
  })],
  [1, (t) => fc.constantFrom('\u0001garbage', ' x', '{}', '\u0000').map((s) => bytes(`${t}${s}`))],
  [1, (t) => fc.constant(bytes(`\ufeff${t}`))],
  [1, (t) => fc.integer({ min: 1, max: 90 }).map((d) => bytes(beforeClose(t, `,"deep":${'['.repeat(d)}${']'.repeat(d)}`)))],
  [1, (t) => fc.integer({ min: 0, max: 4000 }).map((n) => bytes(beforeClose(t, `,"long":"${'a'.repeat(n)}"`)))],
  // Over the 1 MiB line limit, the record's fields (a customer's email) after the first MiB.
  [1, (t) => fc.integer({ min: 0, max: 64 }).map((n) => bytes(t.replace('{', `{"pad":"${'p'.repeat(1024 * 1024 + n)}",`)))],
  [1, (t) => fc.constantFrom(' x', '\u0001').map((tail) => bytes(`${t.replace('"email"', '"\\u0065m\\u0061il"')}${tail}`))],
  [1, (t) => fc.constantFrom('{"a":1,"a":2}', '[1e400]', '"\\ud800"', '"\\udc00\\ud800"', '"\\ud83d\\ude00"', '{"b":{"c":[null,false]}}').map((v) => bytes(beforeClose(t, `,"extra":${v}`)))],
  [1, (t) => fc.constantFrom('"\\ud800x"', '"a\\u0000b"', 'null', '42').map((v) => bytes(t.replace(/"(email|user|serialNumber)":"[^"]*"/, `"$1":${v}`)))],
  [1, (t) => fc.nat({ max: t.length }).map((k) => bytes(t.slice(0, k)))],
  [1, (t) => fc.constantFrom(Buffer.from([0xc3, 0x28]), Buffer.from([0xff]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82])).map((b) => Buffer.concat([bytes(t.slice(0, 12)), b, bytes(t.slice(12))]))],
  [1, () => fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a))],
  [1, () => fc.constantFrom('', ' ', '\t\t', ' '.repeat(40), '\r', '[1]', '42', 'null', '"s"', "{'a': 1}", '{"a":1}//c').map(bytes)],
];

const lineOf = (record: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Buffer> =>
  record.chain((r) => {
    const text = JSON.stringify(r);
    return fc.oneof(...DEFECTS.map(([weight, defect]) => ({ weight, arbitrary: defect(text) })));
  });

const landingFiles = fc.record({
  customer: fc.array(lineOf(customer), { minLength: LINES_PER_SOURCE, maxLength: LINES_PER_SOURCE }),
  accelerometer: fc.array(lineOf(accelerometer), { minLength: LINES_PER_SOURCE, maxLength: LINES_PER_SOURCE }),
  step_trainer: fc.array(lineOf(stepTrainer), { minLength: LINES_PER_SOURCE, maxLength: LINES_PER_SOURCE }),
  finalNewline: fc.boolean(),
});

/** Writes each source as two files, so file order and line numbers both matter. */
function writeFiles(root: string, lines: Record<Source, Buffer[]>, finalNewline: boolean): void {
  for (const source of SOURCES) {
    const dir = join(root, source, 'landing');
    mkdirSync(dir, { recursive: true });
    const half = Math.floor(lines[source].length / 2);
    [lines[source].slice(0, half), lines[source].slice(half)].forEach((part, i) => {
      const joined = Buffer.concat(part.flatMap((l) => [l, Buffer.from('\n')]));
      writeFileSync(join(dir, `${source}-${i + 1}.json`), finalNewline ? joined : joined.subarray(0, -1));
    });
  }
}

/** Every line of a source in landing order, with where it came from, as the reference reads it. */
function referenceLines(root: string, source: Source): Array<{ file: string; lineNumber: number; line: RefLine }> {
  const dir = join(root, source, 'landing');
  return readdirSync(dir)
    .sort()
    .flatMap((name) => splitLines(readFileSync(join(dir, name))).map((bytes, i) => ({ file: join(dir, name), lineNumber: i + 1, line: referenceLine(bytes, source) })));
}

const QUERY = `{
  customers(first: 50) { edges { node { serialNumber email lastUpdateDate registrationDate
    accelerometerReadings(first: 500) { edges { node { timestamp x y z } } } } } }
  stepTrainerReadings(first: 2000) { edges { node { serialNumber sensorReadingTime distanceFromObject } } }
  machineLearningSamples(first: 2000) { edges { node { serialNumber sensorReadingTime distanceFromObject x y z } } }
}`;

describe('landing lines from a hostile producer', () => {
  beforeAll(() => {
    process.stdout.write(`landing property test: seed ${SEED} (STEDI_PROPERTY_SEED=${SEED} reproduces it)\n`);
  });

  it('are read the same by the build, the consent registry and a JSON.parse reference, and every built row serialises through the API', async () => {
    const outcome = await fc.check(
      fc.asyncProperty(landingFiles, async (generated) => {
        const root = makeTempDir('stedi-property-');
        writeFiles(root, generated, generated.finalNewline);
        // The query asks for 29,050 rows (every built row): over the default bound of rows a request.
        const test = await buildTestApp({ landing: root, consentPolicy: 'any', config: { limits: { maxRequestRows: 30_000 } } });
        try {
          const version = (await test.lake.engine.manifest())!.versions[0];
          for (const source of SOURCES) {
            const expected = referenceLines(root, source);
            const count = (kind: RefLine['kind']): number => expected.filter((e) => e.line.kind === kind).length;
            const got = version.landingCounts[source];
            expect(got).toMatchObject({ lines: expected.length, accepted: count('accepted'), quarantined: count('quarantined'), blank: count('blank') });
            expect(got.accepted + got.quarantined + (got.blank ?? 0)).toBe(got.lines);
            // The manifest records the quarantine relative to the lake.
            const file = join(isAbsolute(version.quarantine) ? version.quarantine : join(test.lake.lake, version.quarantine), `${source}.ndjson`);
            const quarantined = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { sourceFile: string; lineNumber: number }) : [];
            expect(quarantined.map((q) => `${q.sourceFile}:${q.lineNumber}`).sort()).toEqual(
              expected.filter((e) => e.line.kind === 'quarantined').map((e) => `${e.file}:${e.lineNumber}`).sort(),
            );
            // The registry's reader: the same decisions and the same values as the reference.
            const values: unknown[] = [];
            await test.lake.engine.readLanding!(source, { accept: (v) => values.push([...v]), quarantine: () => undefined });
            expect(values).toEqual(expected.flatMap((e) => (e.line.kind === 'accepted' ? [Object.values(e.line.values)] : [])));
          }
          // Consent: the built zone and the registry against the reference.
          const consent = referenceConsent(referenceLines(root, 'customer').map((e) => e.line));
          const trusted = await test.lake.engine.query(`SELECT "email", "serialNumber" FROM ${await test.lake.engine.tableRef('customer_trusted', version.version)}`);
          expect(trusted.map((r) => r.email).sort()).toEqual([...consent.trusted].sort());
          const snapshot = await test.lake.services.consent.refresh();
          for (const email of EMAILS) expect([email, snapshot.hiddenEmails.has(email)]).toEqual([email, !consent.consenting.has(email) || trusted.some((r) => r.email === email && consent.unsafeSerials.has(String(r.serialNumber)))]);
          const devices = await test.lake.engine.query(`SELECT DISTINCT "serialNumber" FROM ${await test.lake.engine.tableRef('step_trainer_trusted', version.version)}`);
          for (const { serialNumber } of devices) expect([serialNumber, consent.unsafeSerials.has(String(serialNumber))]).toEqual([serialNumber, false]);
          // No built row fails to serialise: the whole answer comes back without errors.
          const answer = await test.graphql(QUERY, ADMIN_KEY);
          expect(answer.body.errors).toBeUndefined();
          for (const edge of answer.body.data.customers.edges) expect(consent.consenting.has(edge.node.email)).toBe(true);
        } finally {
          await test.close();
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The counterexample is kilobytes of bytes: report the seed and path that reproduce it instead.
    if (outcome.failed) throw new Error(`landing property failed (seed ${SEED}, path ${outcome.counterexamplePath}): ${(outcome.errorInstance as Error)?.message}`);
  }, 180_000);

  // Long files name every email in some bad line; short ones leave customers certain, so each doubt decides something.
  it('leave the same customers uncertain as the reference, in short customer files where a single bad line decides', async () => {
    const columns = TABLES.customer_landing.columns;
    const outcome = await fc.check(
      fc.asyncProperty(fc.array(lineOf(customer), { minLength: 1, maxLength: 8 }), async (lines) => {
        const file = join(makeTempDir('stedi-doubt-'), 'customer.json');
        writeFileSync(file, Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])));
        const tally = await readLanding([file], columns, { accept: () => undefined, quarantine: () => undefined }, { consentDoubt: true });
        const reference = referenceConsent(splitLines(readFileSync(file)).map((l) => referenceLine(l, 'customer')));
        expect(tally.uncertain).toEqual([...reference.uncertain].sort());
      }),
      { seed: SEED, numRuns: DOUBT_RUNS, endOnFailure: true },
    );
    if (outcome.failed) throw new Error(`consent doubt property failed (seed ${SEED}, path ${outcome.counterexamplePath}): ${(outcome.errorInstance as Error)?.message}`);
    // Each over-long line is searched for every accepted device once per distinct serial length (named-devices.ts).
  }, 180_000);
});
