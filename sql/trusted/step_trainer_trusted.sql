-- Step trainer readings of the devices of consenting customers who have
-- trusted accelerometer data. A device follows consent: its readings are kept
-- only when every customer naming its serialNumber in their freshest landing
-- records is one email, who consents. The one parameter is the consent policy,
-- as in accelerometer_trusted.
WITH source AS (
    SELECT * FROM step_trainer_landing
),

renamed AS (
    SELECT
        "sensorReadingTime",
        "serialNumber",
        "distanceFromObject"
    FROM source
),

deduplicated AS (
    SELECT DISTINCT * FROM renamed
),

-- two different distances for one device at one moment: neither can be trusted
conflicting AS (
    SELECT "serialNumber", "sensorReadingTime"
    FROM deduplicated
    GROUP BY "serialNumber", "sensorReadingTime"
    HAVING count(*) > 1
),

freshest_claims AS (
    SELECT "email", "serialNumber", "shareWithResearchAsOfDate"
    FROM (
        SELECT
            "email",
            "serialNumber",
            "shareWithResearchAsOfDate",
            "lastUpdateDate",
            max("lastUpdateDate") OVER (PARTITION BY "email") AS "freshestUpdate"
        FROM customer_landing
    ) AS claims
    WHERE "lastUpdateDate" = "freshestUpdate"
),

-- serials named by exactly one email, in freshest records that all consent
single_consenting_owner AS (
    SELECT "serialNumber"
    FROM freshest_claims
    GROUP BY "serialNumber"
    HAVING count(DISTINCT "email") = 1
       AND min(CASE WHEN "shareWithResearchAsOfDate" IS NULL THEN 0 ELSE 1 END) = 1
),

device AS (
    SELECT "serialNumber", "shareWithResearchAsOfDate"
    FROM customer_trusted
    WHERE "email" IN (SELECT "user" FROM accelerometer_trusted)
      AND "serialNumber" IN (SELECT "serialNumber" FROM single_consenting_owner)
),

final AS (
    SELECT
        reading."sensorReadingTime",
        reading."serialNumber",
        reading."distanceFromObject"
    FROM deduplicated AS reading
    INNER JOIN device
        ON reading."serialNumber" = device."serialNumber"
    WHERE (? = 'any' OR reading."sensorReadingTime" >= device."shareWithResearchAsOfDate")
      AND NOT EXISTS (
          SELECT 1 FROM conflicting
          WHERE conflicting."serialNumber" = reading."serialNumber"
            AND conflicting."sensorReadingTime" = reading."sensorReadingTime"
      )
)

SELECT * FROM final
