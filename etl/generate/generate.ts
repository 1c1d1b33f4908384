import { SOURCES, type Source } from '../tables';
import { namesDevice, namesEmail } from '../landing/named-under-keys';
import { BadLineMixer, type BadLineCounts } from './bad-lines';
import { ExpectedCountsTally, type ExpectedCounts } from './expected-counts';
import { type GenerateOptions, validateGenerateOptions } from './generate-options';
import { LandingFileWriter } from './landing-writer';
import { type LandingRecord, accelerometerLine, accelerometerRecord, customerRecord, formatRecord, stepTrainerLine, stepTrainerRecord } from './landing-lines';
import { prepareOutFolder } from './out-folder';
import { PeopleFactory } from './people';
import { Random } from './random';
import { SessionFactory } from './sessions';
import { sampleDiskFull } from './sample-disk-full';
import { GenerateStaging } from './staging';

export { GENERATE_DEFAULTS, type GenerateOptions, type GenerateProgress } from './generate-options';
export { BAD_LINE_KINDS, type BadLineCounts, type BadLineKind, quarantinable } from './bad-lines';
export type { ExpectedCounts } from './expected-counts';

/**
 * `stedi generate`: STEDI-shaped landing data for any number of customers,
 * the same bytes for the same options. Customers are generated and written
 * one at a time, so memory does not grow with their number.
 */
export interface GenerateReport {
  out: string;
  seed: string;
  customers: number;
  /** Customers whose record sets shareWithResearchAsOfDate. */
  consenting: number;
  dirty: number;
  /** The files written per source, in name order. */
  files: Record<Source, string[]>;
  /** Every line written per source: clean records plus bad lines. */
  lines: Record<Source, number>;
  /** Clean records per source. */
  records: Record<Source, number>;
  /** Bad lines mixed in per source and kind; all but duplicates are quarantined by a build. */
  bad: Record<Source, BadLineCounts>;
  /** The row counts a correct build reports for each consent policy. */
  expected: ExpectedCounts;
  durationMs: number;
}

const PROGRESS_EVERY = 1_000;

export async function generateLanding(options: GenerateOptions): Promise<GenerateReport> {
  const started = Date.now();
  const o = validateGenerateOptions(options);
  // First: a dead run's half-made move would otherwise be taken for files already there (or for a sample).
  await GenerateStaging.settleDead(o.out);
  const dirs = await prepareOutFolder(o.out, o.force, o.flags);
  const staging = await GenerateStaging.open(o.out);
  const writers = Object.fromEntries(SOURCES.map((s) => [s, new LandingFileWriter(staging.dirs[s], s, o.maxLinesPerFile)])) as Record<Source, LandingFileWriter>;
  const records = Object.fromEntries(SOURCES.map((s) => [s, 0])) as Record<Source, number>;
  // The clean data and the bad lines draw from separate streams: the clean data is the same at any --dirty.
  const clean = new Random(o.seed);
  const people = new PeopleFactory(clean);
  const sessions = new SessionFactory(clean);
  const mixer = new BadLineMixer(new Random(`${o.seed}/dirty`), o.dirty);
  const tally = new ExpectedCountsTally();
  let consenting = 0;

  /** Writes a clean line, perhaps followed by a bad one; true when that bad line makes the customer's consent uncertain. */
  const write = (source: Source, line: string, record: () => LandingRecord): boolean => {
    writers[source].push(line);
    records[source] += 1;
    const kind = mixer.roll(source);
    if (!kind) return false;
    const spoiled = mixer.spoil(kind, source, record(), line);
    writers[source].push(spoiled);
    if (source !== 'customer' || kind === 'duplicate') return false;
    // Doubt hides the customer the line names, by email or by device.
    const customer = record();
    return namesEmail(spoiled, String(customer.email)) || namesDevice(spoiled, String(customer.serialNumber));
  };
  const progress = (customersDone: number): void =>
    o.onProgress?.({ customersDone, customers: o.customers, lines: SOURCES.reduce((sum, s) => sum + writers[s].lines, 0) });

  try {
    for (let i = 1; i <= o.customers; i++) {
      o.signal?.throwIfAborted();
      const person = people.next();
      const session = sessions.next();
      const customer = customerRecord(person, session);
      // Doubt hides: a quarantined line still naming the customer keeps them out of the trusted zone.
      const uncertain = write('customer', formatRecord('customer', customer), () => customer);
      if (session.shareWithResearchAsOfDate !== null && !uncertain) consenting += 1;
      const user = JSON.stringify(person.email);
      const serial = JSON.stringify(person.serialNumber);
      session.timestamps.forEach((time, k) => {
        for (const axis of session.readings[k]) {
          write('accelerometer', accelerometerLine(user, time, axis), () => accelerometerRecord(person.email, time, axis));
        }
        const distance = session.distances[k];
        write('step_trainer', stepTrainerLine(serial, time, distance), () => stepTrainerRecord(person.serialNumber, time, distance));
      });
      tally.addCustomer(session, uncertain);
      for (const source of SOURCES) if (writers[source].wantsFlush) await writers[source].flush();
      if (i % PROGRESS_EVERY === 0) progress(i);
    }
    const staged = {} as Record<Source, string[]>;
    for (const source of SOURCES) staged[source] = await writers[source].close();
    o.signal?.throwIfAborted();
    const files = await staging.publish(dirs, staged, o.force);
    if (o.customers % PROGRESS_EVERY !== 0) progress(o.customers);

    const bad = mixer.counts;
    tally.addDuplicates({ customer: bad.customer.duplicate, accelerometer: bad.accelerometer.duplicate, step_trainer: bad.step_trainer.duplicate });
    const lines = Object.fromEntries(SOURCES.map((s) => [s, writers[s].lines])) as Record<Source, number>;
    return { out: o.out, seed: o.seed, customers: o.customers, consenting, dirty: o.dirty, files, lines, records, bad, expected: tally.counts, durationMs: Date.now() - started };
  } catch (error) {
    // Half-written landing data would be mistaken for a sample: none of it leaves the staging folder.
    for (const writer of Object.values(writers)) await writer.abort();
    await staging.discard();
    throw sampleDiskFull(error, o.out, o.flags?.out ?? '--out');
  }
}
