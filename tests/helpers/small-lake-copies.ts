import { cpSync } from 'node:fs';
import { buildLake } from './etl-lake';
import { makeTempDir, writeSmallLanding } from './landing-fixture';

/**
 * The small lake (writeSmallLanding, built on DuckDB as buildTestLake builds it: consent policy any, three versions
 * kept) built once per suite in beforeAll; each call gives a cp -r copy of it and of its landing, for a test to serve
 * with `buildTestLake({ landing, lake, build: false })` and change on its own.
 */
export function smallLakeCopies(): () => { landing: string; lake: string } {
  let template: { landing: string; lake: string } | undefined;
  beforeAll(async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-small-lake-');
    await buildLake(landing, lake, { consentPolicy: 'any', keepVersions: 3 });
    template = { landing, lake };
  });
  return () => {
    if (template === undefined) throw new Error('smallLakeCopies() hands out copies inside tests (its lake is built in beforeAll)');
    const landing = makeTempDir('stedi-small-landing-');
    const lake = makeTempDir('stedi-small-lake-');
    cpSync(template.landing, landing, { recursive: true });
    cpSync(template.lake, lake, { recursive: true });
    return { landing, lake };
  };
}
