import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { buildLake } from '../helpers/etl-lake';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

/**
 * An expired version's folder is deleted by the build that expires it; a
 * server that still held one of its files open would keep those bytes (and
 * the customers in them) on disk until it exits.
 */

const PROC_FDS = '/proc/self/fd';

/** The files this process holds open whose path names `version`'s folder. */
function openFilesOf(version: string): string[] {
  return readdirSync(PROC_FDS)
    .map((fd) => {
      try {
        return readlinkSync(`${PROC_FDS}/${fd}`);
      } catch {
        return ''; // closed between the listing and the read
      }
    })
    .filter((path) => path.includes(`v=${version}`));
}

const READS = [
  '{ customers(first: 5) { edges { node { serialNumber accelerometerReadings(first: 2) { edges { node { x } } } } } } }',
  '{ stepTrainerReadings(first: 5) { edges { node { distanceFromObject } } } }',
  '{ machineLearningSamples(first: 5) { totalCount edges { node { x } } } }',
  '{ machineLearningBatch(first: 5) { rowCount columns { x } } }',
];

(existsSync(PROC_FDS) ? describe : describe.skip)('files of an expired version', () => {
  jest.setTimeout(60_000);
  let t: TestApp;
  afterEach(() => t?.close());

  it('are all closed once a build has expired the version, batch column text and Parquet alike', async () => {
    const landing = writeSmallLanding();
    t = await buildTestApp({ landing, keepVersions: 1 });
    const first = (await t.lake.engine.manifest())!.versions[0].version;
    // Until the batch text of the version is prepared and opened (in the background after the first batch page).
    for (let i = 0; i < 100 && !openFilesOf(first).some((f) => f.includes('.batch.')); i += 1) {
      // At once: each read holds a connection of the pool, and each connection keeps its own prepared statements.
      const answers = await Promise.all([...READS, ...READS, ...READS].map((query) => t.graphql(query, ANALYST_KEY)));
      for (const answer of answers) expect(answer.body.errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(openFilesOf(first).length).toBeGreaterThan(0);

    const next = await buildLake(landing, t.lake.lake, { keepVersions: 1 });
    expect((await t.graphql(READS[0], ANALYST_KEY)).body.errors).toBeUndefined();
    expect((await t.lake.engine.manifest())!.versions.map((v) => v.version)).toEqual([next.version]);
    expect(openFilesOf(first)).toEqual([]);
  });
});
