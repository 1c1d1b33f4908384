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

-- one row per device and moment, in one aggregation: repeated readings that
-- agree collapse, and two different distances for one device at one moment
-- (neither can be trusted) drop the moment; a null distance counts as a value,
-- as DISTINCT would count it. Only those devices' readings are grouped: the
-- join below drops the rest.
deduplicated AS (
    SELECT
        "sensorReadingTime",
        "serialNumber",
        min("distanceFromObject") AS "distanceFromObject"
    FROM renamed
    WHERE "serialNumber" IN (SELECT "serialNumber" FROM device)
    GROUP BY "serialNumber", "sensorReadingTime"
    HAVING (min("distanceFromObject") = max("distanceFromObject") AND count("distanceFromObject") = count(*))
        OR count("distanceFromObject") = 0
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
)

SELECT * FROM final
