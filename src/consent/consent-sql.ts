/**
 * The registry's two reads. Identifiers are fixed here; table references come
 * from the engine. The tie-break matches customer_trusted.sql: on equal
 * lastUpdateDate a record without consent wins.
 */
export const freshestLandingSql = (landing: string): string => `
WITH ranked AS (
    SELECT
        "email",
        "serialNumber",
        "shareWithResearchAsOfDate",
        row_number() OVER (
            PARTITION BY "email"
            ORDER BY "lastUpdateDate" DESC, CASE WHEN "shareWithResearchAsOfDate" IS NULL THEN 0 ELSE 1 END
        ) AS recency
    FROM ${landing}
    WHERE "email" IS NOT NULL
)
SELECT "email", "serialNumber", "shareWithResearchAsOfDate" IS NOT NULL AS consenting
FROM ranked
WHERE recency = 1`;

export const keptCustomersSql = (customerTrusted: string): string => `SELECT "email", "serialNumber" FROM ${customerTrusted}`;
