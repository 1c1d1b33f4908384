import type { VersionManifest } from '../../manifest';

/**
 * The landing prefix a build reads, as on the embedded engine: the one given (--landing / STEDI_LANDING), else the
 * one the live version was built from (its manifest records it), else the lake's own (a first build).
 */
export function landingLocation(lake: string, given: string | undefined, live: VersionManifest | undefined): string {
  if (given !== undefined) return given;
  if (!live) return lake;
  if (!live.landing.startsWith('s3://')) {
    throw new Error(`the live version ${live.version} records its landing as ${JSON.stringify(live.landing)}, not an s3:// prefix: give the landing prefix with --landing or STEDI_LANDING`);
  }
  return live.landing.replace(/\/+$/, '');
}
