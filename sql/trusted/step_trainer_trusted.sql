-- Step trainer readings of the devices of consenting customers who have
-- trusted accelerometer data. A device follows consent: customer_trusted holds
-- a serialNumber only when one email names it in their freshest records and
-- consents, so no other customer's record lets these readings in. Both
-- parameters are the consent policy: 'any', or 'as-of' (only readings taken at
-- or after the customer's shareWithResearchAsOfDate).
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

-- the customers with a phone reading the trusted zone keeps: read from the
-- landing with the trusted zone's own rule rather than from the trusted
-- accelerometer table, so this table need not wait for that one to be written
-- (the build's ownership check still holds every device here to a customer
-- with trusted phone readings)
with_readings AS (
    SELECT DISTINCT reading."user"
    FROM accelerometer_landing AS reading
    INNER JOIN customer_trusted AS customer
        ON reading."user" = customer."email"
    WHERE (? = 'any' OR reading."timestamp" >= customer."shareWithResearchAsOfDate")
),

device AS (
    SELECT "serialNumber", "shareWithResearchAsOfDate"
    FROM customer_trusted
    WHERE "email" IN (SELECT "user" FROM with_readings)
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
