import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LandingParquetFile } from '../../../etl/landing/landing-parquet';
import { canMountTmpfs, tmpfsForSuite } from '../../helpers/tmpfs';

/**
 * A landing Parquet file whose disk is full from its first bytes fails without keeping its descriptor: a build's
 * spill folder is removed after it fails, and an open descriptor would keep the removed file's space taken for as long
 * as the process runs (an in-process build).
 */

const openDescriptors = (): number => readdirSync('/proc/self/fd').length;

(canMountTmpfs ? describe : describe.skip)('a landing Parquet file on a full disk', () => {
  const disk = tmpfsForSuite('stedi-parquet-full-', 'size=64k');

  it('fails with ENOSPC, and leaves no descriptor open', () => {
    // Fills the tmpfs to its last block.
    try {
      writeFileSync(join(disk, 'filler'), Buffer.alloc(1024 * 1024));
    } catch {
      // ENOSPC: full, as wanted.
    }
    const before = openDescriptors();
    const path = join(disk, '0.parquet');
    let failure: NodeJS.ErrnoException | undefined;
    try {
      new LandingParquetFile(path, [{ name: 'x', type: 'BIGINT', required: true }]);
    } catch (error) {
      failure = error as NodeJS.ErrnoException;
    }
    expect(failure?.code).toBe('ENOSPC');
    expect(openDescriptors()).toBe(before);
  });
});
