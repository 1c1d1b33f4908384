-- The training set: each trusted step trainer reading joined with the
-- accelerometer readings of the same customer at the same timestamp. Joining
-- on the timestamp alone would pair one person's step trainer with another
-- person's phone wherever their timestamps collide. A trusted accelerometer
-- reading carries its customer's serialNumber, and a trusted customer's
-- serialNumber is held by that one email only, so the serialNumber pairs the
-- same customer's device and phone without joining the customers again (the
-- build's same-customer check holds every pair to the curated customers).
WITH step_trainer AS (
    SELECT * FROM step_trainer_trusted
),

accelerometer AS (
    SELECT * FROM accelerometer_trusted
),

final AS (
    SELECT
        step_trainer."serialNumber",
        accelerometer."user" AS "email",
        step_trainer."sensorReadingTime",
        step_trainer."distanceFromObject",
        accelerometer."x",
        accelerometer."y",
        accelerometer."z"
    FROM step_trainer
    INNER JOIN accelerometer
        ON accelerometer."serialNumber" = step_trainer."serialNumber"
       AND accelerometer."timestamp" = step_trainer."sensorReadingTime"
)

SELECT * FROM final
