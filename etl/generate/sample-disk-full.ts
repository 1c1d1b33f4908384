import { basename, dirname, resolve } from 'node:path';
import { STAGING_PREFIX } from './publish-plan';

/**
 * A full disk (or quota) while a sample was written: Node said only "ENOSPC: no space left on device, write",
 * naming neither the folder nor a fix, to `stedi generate` and `stedi start` alike.
 */
export class SampleDiskFullError extends Error {
  constructor(folder: string, flag: string, cause: unknown) {
    super(
      `no space left on the device holding ${folder} while writing the sample landing data (nothing was written to the landing folders); free space there, or point ${flag} at a folder on a larger disk`,
      { cause },
    );
    this.name = 'SampleDiskFullError';
  }
}

/**
 * `error` said as a full disk under `out` when it is one; else `error`. Said of `out`, unless Node names a landing file
 * (a landing folder linked to another disk, copied into): the staging file it names is gone by the time this is read.
 */
export function sampleDiskFull(error: unknown, out: string, flag: string): unknown {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return error;
  const landingFile = typeof path === 'string' && path.length > 0 && !basename(dirname(dirname(path))).startsWith(STAGING_PREFIX);
  return new SampleDiskFullError(landingFile ? path : resolve(out), flag, error);
}
