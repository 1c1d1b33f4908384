/**
 * How far a customer's consent reaches back. `any`: every reading of a
 * consenting customer; `as-of`: only readings taken at or after the moment
 * consent was given (`shareWithResearchAsOfDate`).
 */
export const CONSENT_POLICIES = ['any', 'as-of'] as const;
export type ConsentPolicy = (typeof CONSENT_POLICIES)[number];
export const DEFAULT_CONSENT_POLICY: ConsentPolicy = 'any';

export function isConsentPolicy(value: unknown): value is ConsentPolicy {
  return typeof value === 'string' && (CONSENT_POLICIES as readonly string[]).includes(value);
}

export function parseConsentPolicy(value: unknown): ConsentPolicy {
  if (isConsentPolicy(value)) return value;
  throw new RangeError(`consent policy must be one of ${CONSENT_POLICIES.join(', ')}; received ${JSON.stringify(value)}`);
}
