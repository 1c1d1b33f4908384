-- Customers who consented to research use: the freshest record of each email,
-- so exact duplicates collapse and a newer record without consent revokes it.
-- A customer whose consent a quarantined line makes uncertain is left out.
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

ranked AS (
    SELECT
        renamed.*,
        row_number() OVER (
            PARTITION BY "email"
            -- on a tie, a record without consent wins: revoking must never lose to granting
            ORDER BY
                "lastUpdateDate" DESC,
                CASE WHEN "shareWithResearchAsOfDate" IS NULL THEN 0 ELSE 1 END,
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
)

SELECT * FROM final
