import { cpSync } from 'node:fs';
import { buildLake } from './etl-lake';
import { makeTempDir, writeSmallLanding } from './landing-fixture';

/**
 * The small lake (writeSmallLanding, built on DuckDB as buildTestLake builds it: consent policy any, three versions
 * kept) built once per suite in beforeAll; each call gives a cp -r copy of it (at `lakeAt`, by default a new temp
 * folder) and of its landing, with its one version, for a test to serve (`buildTestLake({ landing, lake, build: false })`)
 * or build again and change on its own.
 */
export function smallLakeCopies(): (lakeAt?: string) => { landing: string; lake: string; version: string } {
  let template: { landing: string; lake: string; version: string } | undefined;
  beforeAll(async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-small-lake-');
    const { version } = await buildLake(landing, lake, { consentPolicy: 'any', keepVersions: 3 });
    template = { landing, lake, version };
  });
  return (lakeAt = makeTempDir('stedi-small-lake-')) => {
    if (template === undefined) throw new Error('smallLakeCopies() hands out copies inside tests (its lake is built in beforeAll)');
    const landing = makeTempDir('stedi-small-landing-');
    cpSync(template.landing, landing, { recursive: true });
    cpSync(template.lake, lakeAt, { recursive: true });
    return { landing, lake: lakeAt, version: template.version };
  };
}
