-- Customers who consented to research use: the freshest record of each email,
-- so exact duplicates collapse and a newer record without consent revokes it.
-- A customer whose consent a quarantined line makes uncertain is left out, and
-- so is one whose serialNumber another email also claims (the device, and the
-- customer the API keys by it, would be ambiguous). A device is its serial's
-- spelling (etl/landing/serial-spelling.ts: ASCII case and spaces aside), so a
-- claim on `50F7…` or ` 50f7…` is a claim on `50f7…`. A device any record
-- (not only the freshest) of a customer who withholds consent or is uncertain
-- ever named is left out too: its readings may be theirs, from before the
-- device changed hands.
WITH source AS (
    SELECT * FROM customer_landing
),

renamed AS (
    SELECT
        "customerName",
        "email",
        "phone",
        "birthDay",
        "serialNumber",
        "registrationDate",
        "lastUpdateDate",
        "shareWithResearchAsOfDate",
        "shareWithPublicAsOfDate",
        "shareWithFriendsAsOfDate"
    FROM source
),

freshest_claims AS (
    SELECT "email", "device"
    FROM (
        SELECT
            "email",
            translate(replace(replace("serialNumber", ' ', ''), chr(9), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS "device",
            "lastUpdateDate",
            max("lastUpdateDate") OVER (PARTITION BY "email") AS "freshestUpdate"
        FROM renamed
    ) AS claims
    WHERE "lastUpdateDate" = "freshestUpdate"
),

shared_serials AS (
    SELECT "device"
    FROM freshest_claims
    GROUP BY "device"
    HAVING count(DISTINCT "email") > 1
),

ranked AS (
    SELECT
        renamed.*,
        row_number() OVER (
            PARTITION BY "email"
            -- on a tie, a record without consent wins (revoking must never lose to granting),
            -- then the latest consent date (under as-of, the fewer readings)
            ORDER BY
                "lastUpdateDate" DESC,
                CASE WHEN "shareWithResearchAsOfDate" IS NULL THEN 0 ELSE 1 END,
                "shareWithResearchAsOfDate" DESC,
                "serialNumber",
                "registrationDate" DESC
        ) AS recency
    FROM renamed
),

withheld_devices AS (
    SELECT DISTINCT translate(replace(replace("serialNumber", ' ', ''), chr(9), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS "device"
    FROM renamed
    WHERE "email" IN (SELECT "email" FROM ranked WHERE recency = 1 AND "shareWithResearchAsOfDate" IS NULL)
       OR "email" IN (SELECT "email" FROM consent_uncertain)
),

final AS (
    SELECT
        "customerName",
        "email",
        "phone",
        "birthDay",
        "serialNumber",
        "registrationDate",
        "lastUpdateDate",
        "shareWithResearchAsOfDate",
        "shareWithPublicAsOfDate",
        "shareWithFriendsAsOfDate"
    FROM ranked
    WHERE recency = 1
      AND "shareWithResearchAsOfDate" IS NOT NULL
      AND "email" NOT IN (SELECT "email" FROM consent_uncertain)
      AND translate(replace(replace("serialNumber", ' ', ''), chr(9), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') NOT IN (SELECT "device" FROM shared_serials)
      AND translate(replace(replace("serialNumber", ' ', ''), chr(9), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') NOT IN (SELECT "device" FROM withheld_devices)
)

SELECT * FROM final
