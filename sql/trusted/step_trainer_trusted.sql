-- Step trainer readings of the devices of consenting customers who have
-- trusted accelerometer data. A device follows consent: customer_trusted holds
-- a serialNumber only when one email names it in their freshest records and
-- consents, so no other customer's record lets these readings in. The one
-- parameter is the consent policy, as in accelerometer_trusted.
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

device AS (
    SELECT "serialNumber", "shareWithResearchAsOfDate"
    FROM customer_trusted
    WHERE "email" IN (SELECT "user" FROM accelerometer_trusted)
),

-- only the readings of those devices are deduplicated and compared: the join
-- below drops the rest, and a device's readings are kept or dropped together
deduplicated AS (
    SELECT DISTINCT * FROM renamed
    WHERE "serialNumber" IN (SELECT "serialNumber" FROM device)
),

-- two different distances for one device at one moment: neither can be trusted
conflicting AS (
    SELECT "serialNumber", "sensorReadingTime"
    FROM deduplicated
    GROUP BY "serialNumber", "sensorReadingTime"
    HAVING count(*) > 1
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
