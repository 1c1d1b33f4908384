/**
 * The registry's reads through SQL. Identifiers are fixed here; table
 * references come from the engine.
 */

/** Every customer landing record, for an engine the shared landing reader cannot reach yet (Athena). */
export const landingCustomersSql = (landing: string): string =>
  `SELECT "email", "serialNumber", "registrationDate", "lastUpdateDate", "shareWithResearchAsOfDate" FROM ${landing} WHERE "email" IS NOT NULL`;

export const keptCustomersSql = (customerTrusted: string): string => `SELECT "email", "serialNumber", "shareWithResearchAsOfDate" FROM ${customerTrusted}`;
