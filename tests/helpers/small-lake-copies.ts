import { cpSync } from 'node:fs';
import { buildLake } from './etl-lake';
import { makeTempDir, writeSmallLanding } from './landing-fixture';

/** A copy of the small lake and its landing; `versions` holds every version built, the live one (`version`) first. */
export interface SmallLakeCopy {
  landing: string;
  lake: string;
  version: string;
  versions: string[];
}

/**
 * The small lake (writeSmallLanding, built on DuckDB as buildTestLake builds it: consent policy any, three versions
 * kept) built once per suite in beforeAll, `builds` times over (two builds: a live version and an older kept one);
 * each call gives a cp -r copy of it (at `lakeAt`, by default a new temp folder) and of its landing, with its
 * versions, for a test to serve (`buildTestLake({ landing, lake, build: false })`) or build again and change on its own.
 */
export function smallLakeCopies(builds = 1): (lakeAt?: string) => SmallLakeCopy {
  let template: SmallLakeCopy | undefined;
  beforeAll(async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-small-lake-');
    const versions: string[] = [];
    for (let i = 0; i < builds; i += 1) versions.unshift((await buildLake(landing, lake, { consentPolicy: 'any', keepVersions: 3 })).version);
    template = { landing, lake, version: versions[0], versions };
  });
  return (lakeAt = makeTempDir('stedi-small-lake-')) => {
    if (template === undefined) throw new Error('smallLakeCopies() hands out copies inside tests (its lake is built in beforeAll)');
    const landing = makeTempDir('stedi-small-landing-');
    cpSync(template.landing, landing, { recursive: true });
    cpSync(template.lake, lakeAt, { recursive: true });
    return { landing, lake: lakeAt, version: template.version, versions: [...template.versions] };
  };
}
