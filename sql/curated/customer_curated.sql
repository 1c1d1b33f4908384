-- Consenting customers who have trusted accelerometer data.
WITH source AS (
    SELECT * FROM customer_trusted
),

with_readings AS (
    SELECT DISTINCT "user" AS "email" FROM accelerometer_trusted
),

final AS (
    SELECT source.*
    FROM source
    INNER JOIN with_readings
        ON source."email" = with_readings."email"
)

SELECT * FROM final
