import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLanding } from '../../../etl/landing/landing-reader';
import { TABLES } from '../../../etl/tables';
import { makeTempDir } from '../../helpers/landing-fixture';

/**
 * Doubt hides: a quarantined customer line naming an email is a revocation
 * with a typo until a valid record with a later lastUpdateDate (or, when its
 * date cannot be read, a later line) clears it. The bad line's date must be
 * read as written, or an older grant clears a newer revocation.
 */

const COLUMNS = TABLES.customer_landing.columns;
const ignore = { accept: () => undefined, quarantine: () => undefined };

const customer = (fields: Record<string, unknown>): Record<string, unknown> => ({
  customerName: 'N',
  email: 'a@x.com',
  phone: '1',
  birthDay: '1990-01-01',
  serialNumber: 'S1',
  registrationDate: 1600000000000,
  lastUpdateDate: 1600000000000,
  shareWithResearchAsOfDate: 1600000000000,
  ...fields,
});
const grant = JSON.stringify(customer({}));

/** The emails left uncertain by `badLine` after a valid grant of 1600000000000 earlier in the file. */
async function uncertainAfter(badLine: string): Promise<string[]> {
  const file = join(makeTempDir(), 'customers.json');
  writeFileSync(file, `${grant}\n${badLine}\n`);
  const tally = await readLanding([file], COLUMNS, ignore, { consentDoubt: true });
  expect(tally.quarantined).toBe(1);
  return tally.uncertain;
}

/** A revocation quarantined for its numeric phone, its lastUpdateDate written as `date`. */
const revocationDated = (date: string): string =>
  JSON.stringify(customer({ phone: 5, shareWithResearchAsOfDate: null, lastUpdateDate: 0 })).replace('"lastUpdateDate":0', `"lastUpdateDate":${date}`);

describe('doubt hides: a quarantined revocation is never cleared by an older grant', () => {
  it.each(['1.7e12', '17E11', '1700000000000.0', '1.7E+12'])('reads a lastUpdateDate written %s as the whole number, not its leading digits', async (date) => {
    expect(await uncertainAfter(revocationDated(date))).toEqual(['a@x.com']);
  });

  it.each(['1.5', '1-2', '1e400', '2e16'])('takes a lastUpdateDate of %s (no whole number within 2^53) as unreadable: only a later line clears it', async (date) => {
    expect(await uncertainAfter(revocationDated(date))).toEqual(['a@x.com']);
  });

  it('takes a lastUpdateDate it cannot read whole (a string beside a nested number) as unreadable', async () => {
    const revocation = JSON.stringify(customer({ lastUpdateDate: '1700000000000', shareWithResearchAsOfDate: null, meta: { lastUpdateDate: 1 } }));
    expect(await uncertainAfter(revocation)).toEqual(['a@x.com']);
  });

  it('still clears a doubt whose lastUpdateDate is older than a valid record, however it is written', async () => {
    expect(await uncertainAfter(revocationDated('1500000000000'))).toEqual([]);
    expect(await uncertainAfter(revocationDated('1.5e12'))).toEqual([]);
  });
});
