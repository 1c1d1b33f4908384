-- Customers who consented to research use: the freshest record of each email,
-- so exact duplicates collapse and a newer record without consent revokes it.
-- A customer whose consent a quarantined line makes uncertain is left out, and
-- so is one whose serialNumber another email also claims, in any of its records
-- (the device, and the customer the API keys by it, would be ambiguous: a device
-- another customer named before may hold their readings, from before it changed
-- hands, perhaps without or before their consent). A device is its serial in
-- lower case without a UUID's other marks (etl/landing/serial-spelling.ts), so a
-- claim on `50F7…`, `{50f7…}`, `urn:uuid:50f7…` or its digits unhyphenated is a
-- claim on `50f7…`; a serial that is not visible ASCII is quarantined on landing (a
-- space or an invisible mark in it could hide which device it names), and
-- should one reach here, it names no device (NULL) and its customer is left out.
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
        "shareWithFriendsAsOfDate",
        -- the device the serial names: written by deviceSql (serial-spelling.ts), which a test holds it to
        CASE WHEN coalesce(regexp_extract("serialNumber", '[^!-~]'), '') = '' THEN replace(replace(replace(replace(lower("serialNumber"), 'urn:uuid:', ''), '{', ''), '}', ''), '-', '') END AS "device"
    FROM source
),

claims AS (
    SELECT
        "email",
        "device"
    FROM renamed
),

shared_serials AS (
    SELECT "device"
    FROM claims
    WHERE "device" IS NOT NULL
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
      AND "device" IS NOT NULL
      AND "device" NOT IN (SELECT "device" FROM shared_serials)
)

SELECT * FROM final
