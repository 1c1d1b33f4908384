import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The real STEDI landing data, found through STEDI_SAMPLE_DIR (default
 * ../shared/data/stedi). Suites that need it skip when it is absent, except on
 * CI (CI=true), where its absence is a failure.
 */
export const STEDI_SAMPLE_DIR = resolve(process.env.STEDI_SAMPLE_DIR ?? resolve(__dirname, '..', '..', '..', 'shared', 'data', 'stedi'));
export const hasStediSample = existsSync(resolve(STEDI_SAMPLE_DIR, 'customer', 'landing'));

if (!hasStediSample && process.env.CI === 'true') {
  throw new Error(`the real STEDI data is required on CI but was not found at ${STEDI_SAMPLE_DIR}; set STEDI_SAMPLE_DIR`);
}

/** `describe` when the real data is present, `describe.skip` otherwise. */
export const describeWithStediSample: jest.Describe = hasStediSample ? describe : describe.skip;
