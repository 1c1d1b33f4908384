import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The real STEDI landing data, found through STEDI_SAMPLE_DIR (default
 * ../shared/data/stedi). Suites that need it skip when it is absent, except on
 * CI (CI=true), where its absence is a failure.
 */
export const STEDI_SAMPLE_DIR = resolve(process.env.STEDI_SAMPLE_DIR ?? resolve(__dirname, '..', '..', '..', 'shared', 'data', 'stedi'));
export const hasStediSample = existsSync(resolve(STEDI_SAMPLE_DIR, 'customer', 'landing'));

/** The one line a run without the real data prints. */
export const MISSING_SAMPLE_LINE = `real-data suites skipped: no STEDI data at ${STEDI_SAMPLE_DIR}; put its customer/, accelerometer/ and step_trainer/ folders (each with landing/) there or set STEDI_SAMPLE_DIR`;
