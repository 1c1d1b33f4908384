-- The training set: each trusted step trainer reading joined with the
-- accelerometer readings of the same customer (email -> serialNumber) at the
-- same timestamp. Joining on the timestamp alone would pair one person's
-- step trainer with another person's phone wherever their timestamps collide.
WITH step_trainer AS (
    SELECT * FROM step_trainer_trusted
),

accelerometer AS (
    SELECT * FROM accelerometer_trusted
),

customers AS (
    SELECT "email", "serialNumber" FROM customer_curated
),

final AS (
    SELECT
        step_trainer."serialNumber",
        customers."email",
        step_trainer."sensorReadingTime",
        step_trainer."distanceFromObject",
        accelerometer."x",
        accelerometer."y",
        accelerometer."z"
    FROM step_trainer
    INNER JOIN customers
        ON step_trainer."serialNumber" = customers."serialNumber"
    INNER JOIN accelerometer
        ON accelerometer."user" = customers."email"
       AND accelerometer."timestamp" = step_trainer."sensorReadingTime"
)

SELECT * FROM final
