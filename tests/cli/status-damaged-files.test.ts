import { appendFileSync, copyFileSync, rmSync } from 'node:fs';
import { buildLake, tableFile } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin } from '../helpers/spawn-cli';

/**
 * A version with several damaged table files: `stedi status` named only the first, so the operator who put it back
 * ran status again to find the next.
 */
describe('stedi status on a version with several damaged files', () => {
  jest.setTimeout(60_000);

  it('names every damaged file in its one DAMAGED line, and only those still damaged once one is put back', async () => {
    const lake = makeTempDir('stedi-damaged-files-');
    const built = await buildLake(writeSmallLanding(), lake);
    const trusted = tableFile(built, 'customer_trusted');
    const kept = `${makeTempDir('stedi-damaged-copy-')}/customer_trusted.parquet`;
    copyFileSync(trusted, kept);
    appendFileSync(trusted, 'x');
    rmSync(tableFile(built, 'machine_learning_curated'));
    const grown = `customer/trusted/v=${built.version}/customer_trusted.parquet is ${built.tables.customer_trusted.bytes! + 1} bytes; the manifest recorded ${built.tables.customer_trusted.bytes}`;
    const missing = `machine_learning/curated/v=${built.version}/machine_learning_curated.parquet is missing`;

    const status = await runBin(['status', '--lake', lake]);
    expect(status.code).toBe(1);
    expect(status.stdout.split('\n').filter((line) => line.startsWith('DAMAGED'))).toEqual([
      `DAMAGED live version ${built.version}: 2 files are damaged: ${grown}; also ${missing}; run \`stedi build\` to build a new live version`,
    ]);
    expect(JSON.parse((await runBin(['status', '--lake', lake, '--json'])).stdout).damaged).toBe(`2 files are damaged: ${grown}; also ${missing}`);

    copyFileSync(kept, trusted);
    const after = await runBin(['status', '--lake', lake]);
    expect(after.stdout.split('\n').filter((line) => line.startsWith('DAMAGED'))).toEqual([`DAMAGED live version ${built.version}: ${missing}; run \`stedi build\` to build a new live version`]);
  });
});
