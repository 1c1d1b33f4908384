import { isLandingFileName } from '../../landing/landing-rules';

/**
 * A landing prefix's object names (below the prefix) as the two engines read them. The embedded engine reads
 * the landing files directly in the folder; Athena's text reader reads every object under the prefix but
 * those it takes for hidden (a name, or a folder on its path, starting with _ or .). Where they differ, the
 * same landing would give a different lake on AWS: a revocation in `_late.json` honoured on the laptop only.
 */
export function landingObjects(names: readonly string[]): { read: string[]; skippedByAthena: string[]; readByAthenaOnly: string[] } {
  const read: string[] = [];
  const skippedByAthena: string[] = [];
  const readByAthenaOnly: string[] = [];
  for (const name of names) {
    const parts = name.split('/');
    const landingFile = parts.length === 1 && isLandingFileName(name);
    const hidden = parts.some((part) => part.startsWith('_') || part.startsWith('.'));
    if (landingFile && hidden) skippedByAthena.push(name);
    else if (landingFile) read.push(name);
    else if (!hidden) readByAthenaOnly.push(name);
  }
  return { read, skippedByAthena, readByAthenaOnly };
}
