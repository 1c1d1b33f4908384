-- Step trainer readings of the devices of consenting customers who have
-- trusted accelerometer data. The one parameter is the consent policy, as in
-- accelerometer_trusted.
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

consenting AS (
    SELECT "serialNumber", "shareWithResearchAsOfDate"
    FROM customer_trusted
    WHERE "email" IN (SELECT "user" FROM accelerometer_trusted)
),

final AS (
    SELECT
        reading."sensorReadingTime",
        reading."serialNumber",
        reading."distanceFromObject"
    FROM deduplicated AS reading
    INNER JOIN consenting AS device
        ON reading."serialNumber" = device."serialNumber"
    WHERE (? = 'any' OR reading."sensorReadingTime" >= device."shareWithResearchAsOfDate")
)

SELECT * FROM final
