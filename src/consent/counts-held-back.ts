import type { ConsentSnapshot } from './consent-snapshot';

/**
 * Whether a version's trusted and curated row counts must be held back from a key without the admin role (and from
 * /metrics): taken at its build, while it holds a customer consent hides now they tell, beside `totalCount` (which
 * leaves hidden customers out) and `withdrawnSinceBuild`, how many rows that customer had. Without a consent snapshot
 * nobody can tell: held back (privacy first).
 */
export function countsHeldBack(consent: ConsentSnapshot | null | undefined, version: string): boolean {
  return consent == null || consent.exclusionsFor(version).length > 0;
}
