import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsentPolicy } from '../../etl/consent-policy';
import { BAD_LINE_KINDS, type BadLineKind, type GenerateOptions, type GenerateReport, generateLanding, quarantinable } from '../../etl/generate/generate';
import { SOURCES, type Source } from '../../etl/tables';
import { buildLake, rowCounts, quarantineOf } from '../helpers/etl-lake';
import { makeTempDir } from '../helpers/landing-fixture';

const generate = (options: Partial<GenerateOptions> = {}): Promise<GenerateReport> => generateLanding({ out: makeTempDir('stedi-gen-'), customers: 300, seed: 11, ...options });

/** Every file of every landing folder under `out`, by path relative to it, with its bytes. */
function snapshot(out: string): Record<string, string> {
  return Object.fromEntries(
    SOURCES.flatMap((s) => readdirSync(join(out, s, 'landing')).map((f) => [`${s}/${f}`, readFileSync(join(out, s, 'landing', f), 'utf8')])),
  );
}

const linesOf = (report: GenerateReport, source: Source): string[] =>
  report.files[source].flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== ''));
const recordsOf = (report: GenerateReport, source: Source): Record<string, unknown>[] => linesOf(report, source).map((l) => JSON.parse(l));

describe('sample landing generator: determinism', () => {
  it('writes byte-identical files for the same seed, whether given as a number or a string', async () => {
    const a = await generate({ seed: 7, dirty: 0.05 });
    const b = await generate({ seed: '7', dirty: 0.05 });
    expect(Object.keys(snapshot(a.out)).length).toBe(3);
    expect(snapshot(b.out)).toEqual(snapshot(a.out));
  });

  it('writes different data for a different seed', async () => {
    const a = await generate({ seed: 7 });
    const b = await generate({ seed: 8 });
    for (const source of SOURCES) expect(linesOf(b, source)).not.toEqual(linesOf(a, source));
  });

  it('keeps the clean lines the same at any dirty fraction, mixing bad lines in between them', async () => {
    const clean = await generate({ seed: 5 });
    const dirty = await generate({ seed: 5, dirty: 0.2 });
    for (const source of SOURCES) {
      const expected = linesOf(clean, source);
      let matched = 0;
      for (const line of linesOf(dirty, source)) if (line === expected[matched]) matched += 1;
      expect(matched).toBe(expected.length);
      expect(dirty.lines[source]).toBeGreaterThan(clean.lines[source]);
    }
  });
});

describe('sample landing generator: the real data’s shape', () => {
  let report: GenerateReport;
  beforeAll(async () => {
    report = await generate();
  });

  it('writes the real files’ fields with the real types and formats', () => {
    const customers = recordsOf(report, 'customer');
    expect(customers).toHaveLength(300);
    const optional = ['shareWithResearchAsOfDate', 'shareWithPublicAsOfDate', 'shareWithFriendsAsOfDate'];
    for (const c of customers) {
      expect(Object.keys(c).slice(0, 7)).toEqual(['customerName', 'email', 'phone', 'birthDay', 'serialNumber', 'registrationDate', 'lastUpdateDate']);
      expect(Object.keys(c).slice(7).every((k) => optional.includes(k))).toBe(true);
      expect(c.email).toBe(`${String(c.customerName).replace(/ /g, '.')}${String(c.email).match(/\d*@/)![0]}test.com`);
      expect(c.phone).toMatch(/^801555\d{4}$/);
      expect(c.birthDay).toMatch(/^(19[3-9]\d|200\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/);
      expect(c.serialNumber).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      for (const date of ['registrationDate', 'lastUpdateDate', ...optional.filter((k) => k in c)]) expect(Number.isInteger(c[date])).toBe(true);
    }
    expect(new Set(customers.map((c) => c.email)).size).toBe(300);
    expect(new Set(customers.map((c) => c.serialNumber)).size).toBe(300);
    expect(customers.some((c) => /\d@test\.com$/.test(String(c.email)))).toBe(true); // a repeated name got a numbered email
    // Floats always carry a decimal point, as in the real files; dates are 13-digit epoch milliseconds.
    const accelerometer = /^\{"user":"[^"]+@test\.com","timestamp":\d{13},"x":-?\d\.\d,"y":-?\d\.\d,"z":-?\d\.\d\}$/;
    expect(linesOf(report, 'accelerometer').filter((l) => !accelerometer.test(l))).toEqual([]);
    const stepTrainer = /^\{"sensorReadingTime":\d{13},"serialNumber":"[0-9a-f-]{36}","distanceFromObject":[1-9]\d*\}$/;
    expect(linesOf(report, 'step_trainer').filter((l) => !stepTrainer.test(l))).toEqual([]);
  });

  it('gives every customer ~30 distinct reading times with 1–6 distinct phone readings and exactly one step trainer reading each', () => {
    const readingsAt = new Map<string, string[]>();
    for (const a of recordsOf(report, 'accelerometer')) {
      const key = `${a.user}|${a.timestamp}`;
      readingsAt.set(key, [...(readingsAt.get(key) ?? []), `${a.x},${a.y},${a.z}`]);
    }
    const stepAt = new Map<string, number>();
    for (const s of recordsOf(report, 'step_trainer')) stepAt.set(`${s.serialNumber}|${s.sensorReadingTime}`, (stepAt.get(`${s.serialNumber}|${s.sensorReadingTime}`) ?? 0) + 1);
    const customers = recordsOf(report, 'customer');
    const serialOf = new Map(customers.map((c) => [c.email as string, c.serialNumber as string]));
    const timesPerCustomer = new Map<string, number>();
    const wrong: string[] = [];
    for (const [key, readings] of readingsAt) {
      const [user, time] = key.split('|');
      if (readings.length < 1 || readings.length > 6) wrong.push(`${key}: ${readings.length} readings`);
      if (new Set(readings).size !== readings.length) wrong.push(`${key}: repeated readings`);
      if (stepAt.get(`${serialOf.get(user)}|${time}`) !== 1) wrong.push(`${key}: no step trainer reading`);
      timesPerCustomer.set(user, (timesPerCustomer.get(user) ?? 0) + 1);
    }
    expect(wrong).toEqual([]);
    expect(new Set([...readingsAt.values()].map((r) => r.length))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
    expect(timesPerCustomer.size).toBe(300);
    for (const times of timesPerCustomer.values()) expect(times).toBe(30);
    expect(stepAt.size).toBe(readingsAt.size); // no step trainer reading without phone readings
    expect([...stepAt.values()].every((n) => n === 1)).toBe(true);
  });

  it('has about half the customers consenting, timestamps shared between consenting customers, and readings before consent', () => {
    const customers = recordsOf(report, 'customer');
    const consentOf = new Map(customers.filter((c) => 'shareWithResearchAsOfDate' in c).map((c) => [c.email as string, c.shareWithResearchAsOfDate as number]));
    expect(report.consenting).toBe(consentOf.size);
    expect(consentOf.size / customers.length).toBeGreaterThan(0.4);
    expect(consentOf.size / customers.length).toBeLessThan(0.6);
    const consentingUsersAt = new Map<number, Set<string>>();
    let beforeConsent = 0;
    for (const a of recordsOf(report, 'accelerometer')) {
      const consent = consentOf.get(a.user as string);
      if (consent === undefined) continue;
      if ((a.timestamp as number) < consent) beforeConsent += 1;
      consentingUsersAt.set(a.timestamp as number, (consentingUsersAt.get(a.timestamp as number) ?? new Set()).add(a.user as string));
    }
    expect([...consentingUsersAt.values()].filter((users) => users.size > 1).length).toBeGreaterThan(0);
    expect(beforeConsent).toBeGreaterThan(0);
  });

  it('reports the lines it wrote: clean records plus every bad line', async () => {
    const dirty = await generate({ dirty: 0.1 });
    for (const source of SOURCES) {
      expect(linesOf(dirty, source)).toHaveLength(dirty.lines[source]);
      const bad = BAD_LINE_KINDS.reduce((sum, kind) => sum + dirty.bad[source][kind], 0);
      expect(dirty.lines[source]).toBe(dirty.records[source] + bad);
      for (const kind of BAD_LINE_KINDS) expect(dirty.bad[source][kind]).toBeGreaterThan(0);
      // A duplicate is a byte-for-byte copy of the clean line it follows; clean lines never repeat.
      const lines = linesOf(dirty, source);
      expect(lines.filter((line, i) => i > 0 && line === lines[i - 1]).length).toBe(dirty.bad[source].duplicate);
    }
    expect(dirty.records).toEqual(report.records);
  });
});

describe('sample landing generator: files and folders', () => {
  it('reports progress as customers are written, ending at the total', async () => {
    const seen: number[] = [];
    const report = await generate({ customers: 2_500, onProgress: (p) => seen.push(p.customersDone) });
    expect(seen).toEqual([1_000, 2_000, 2_500]);
    expect(report.customers).toBe(2_500);
  });

  it('splits a source into numbered files of at most the given number of lines, in order', async () => {
    const whole = await generate({ customers: 40, seed: 3 });
    const split = await generate({ customers: 40, seed: 3, maxLinesPerFile: 500 });
    const files = split.files.accelerometer;
    expect(files.length).toBe(Math.ceil(whole.lines.accelerometer / 500));
    expect(files.map((f) => f.split('/').pop())).toEqual(files.map((_, i) => `accelerometer-${String(i + 1).padStart(4, '0')}.json`));
    files.forEach((f, i) => expect(readFileSync(f, 'utf8').split('\n').length - 1).toBe(i < files.length - 1 ? 500 : whole.lines.accelerometer - 500 * i));
    expect(files.map((f) => readFileSync(f, 'utf8')).join('')).toBe(readFileSync(whole.files.accelerometer[0], 'utf8'));
  });

  it('refuses a landing folder that already holds files unless forced, and then replaces its data files', async () => {
    const out = makeTempDir('stedi-gen-');
    await generateLanding({ out, customers: 20, maxLinesPerFile: 100 });
    await expect(generateLanding({ out, customers: 5 })).rejects.toThrow(`${join(out, 'customer', 'landing')} already holds files; pass --force`);
    const forced = await generateLanding({ out, customers: 5, force: true });
    expect(readdirSync(join(out, 'accelerometer', 'landing'))).toEqual(forced.files.accelerometer.map((f) => f.split('/').pop()));
  });

  it('rejects bad options with a message saying what to fix', async () => {
    const out = makeTempDir('stedi-gen-');
    await expect(generateLanding({ out, customers: 0 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: 'the number of customers must be a whole number of at least 1; received 0' });
    await expect(generateLanding({ out, customers: 2.5 })).rejects.toThrow('whole number of at least 1; received 2.5');
    for (const dirty of [-0.1, 1.5, Number.NaN]) await expect(generateLanding({ out, dirty })).rejects.toThrow('the dirty fraction must be a number from 0 to 1');
    await expect(generateLanding({ out, seed: '' })).rejects.toThrow('the seed must be a non-empty string');
    const file = join(out, 'a-file');
    writeFileSync(file, 'not a folder');
    await expect(generateLanding({ out: file })).rejects.toThrow(`--out ${file} is a file, not a folder; give --out the path of a folder (one that is missing is made)`);
    expect(existsSync(join(out, 'customer'))).toBe(false);
  });

  it('writes nothing into the landing folders when stopped through its signal, a forced run included', async () => {
    const out = makeTempDir('stedi-gen-');
    await generateLanding({ out, customers: 20 });
    const before = snapshot(out);
    const stop = new AbortController();
    const stopped = generateLanding({ out, customers: 5_000, force: true, signal: stop.signal, onProgress: () => stop.abort(new Error('stopped by the test')) });
    await expect(stopped).rejects.toThrow('stopped by the test');
    expect(snapshot(out)).toEqual(before);
    expect(readdirSync(out).sort()).toEqual(['accelerometer', 'customer', 'step_trainer']);
  });

  it('moves its files into a landing folder on another filesystem (a link to another disk) too', async () => {
    const elsewhere = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? mkdtempSync('/dev/shm/stedi-gen-') : undefined;
    if (!elsewhere) return; // no second filesystem on this machine
    try {
      const out = makeTempDir('stedi-gen-');
      mkdirSync(join(out, 'accelerometer'));
      symlinkSync(elsewhere, join(out, 'accelerometer', 'landing'));
      const report = await generateLanding({ out, customers: 3 });
      expect(readdirSync(elsewhere)).toEqual(['accelerometer-0001.json']);
      expect(readFileSync(join(elsewhere, 'accelerometer-0001.json'), 'utf8').trim().split('\n')).toHaveLength(report.lines.accelerometer);
      expect(readdirSync(out).sort()).toEqual(['accelerometer', 'customer', 'step_trainer']);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('leaves non-data files of a forced landing folder alone', async () => {
    const out = makeTempDir('stedi-gen-');
    mkdirSync(join(out, 'customer', 'landing'), { recursive: true });
    writeFileSync(join(out, 'customer', 'landing', 'README.txt'), 'keep me');
    writeFileSync(join(out, 'customer', 'landing', 'old.json'), '{}\n');
    await generateLanding({ out, customers: 3, force: true });
    expect(readdirSync(join(out, 'customer', 'landing')).sort()).toEqual(['README.txt', 'customer-0001.json']);
  });
});

const QUARANTINE_KIND: [RegExp, BadLineKind][] = [
  [/^malformed JSON$/, 'malformed'],
  [/^missing required field/, 'missingField'],
  [/^field ".+" must be/, 'wrongType'],
];

describe('a build of generated landing data', () => {
  it.each<ConsentPolicy>(['any', 'as-of'])('passes every check and reports the generator’s expected counts (%s policy)', async (consentPolicy) => {
    const report = await generate({ seed: 21 });
    const built = await buildLake(report.out, undefined, { consentPolicy });
    expect(built.checks.filter((c) => c.violations > 0)).toEqual([]);
    expect(rowCounts(built)).toEqual(report.expected[consentPolicy]);
    expect(built.tables.customer_trusted.rows).toBe(report.consenting);
  });

  it('loses readings and whole customers to the as-of policy, as the real data does', async () => {
    const { expected } = await generate({ seed: 21 });
    expect(expected['as-of'].accelerometer_trusted).toBeLessThan(expected.any.accelerometer_trusted);
    expect(expected['as-of'].customer_curated).toBeLessThan(expected.any.customer_curated);
  });

  it('quarantines exactly the malformed, missing-field and wrong-type lines, and removes the duplicates', async () => {
    const clean = await generate({ seed: 21 });
    const dirty = await generate({ seed: 21, dirty: 0.05 });
    const built = await buildLake(dirty.out);
    expect(built.checks.filter((c) => c.violations > 0)).toEqual([]);
    for (const source of SOURCES) {
      expect(built.landingCounts[source].quarantined).toBe(quarantinable(dirty.bad[source]));
      expect(built.landingCounts[source].accepted).toBe(clean.records[source] + dirty.bad[source].duplicate);
      const reasons = readFileSync(join(quarantineOf(built), `${source}.ndjson`), 'utf8').trim().split('\n').map((l) => JSON.parse(l).reason as string);
      const byKind: Record<string, number> = { malformed: 0, missingField: 0, wrongType: 0 };
      for (const reason of reasons) {
        const kind = QUARANTINE_KIND.find(([pattern]) => pattern.test(reason))?.[1] ?? `unexpected reason: ${reason}`;
        byKind[kind] = (byKind[kind] ?? 0) + 1;
      }
      expect(byKind).toEqual({ malformed: dirty.bad[source].malformed, missingField: dirty.bad[source].missingField, wrongType: dirty.bad[source].wrongType });
    }
    // Duplicates add no trusted rows; a quarantined customer line still naming its email or device hides that customer (doubt hides).
    expect(built.landingCounts.customer.uncertain).toBeGreaterThan(0);
    expect(built.tables.customer_trusted.rows).toBe(clean.expected.any.customer_trusted - (clean.consenting - dirty.consenting));
    expect(rowCounts(built)).toEqual(dirty.expected.any);
  });
});
