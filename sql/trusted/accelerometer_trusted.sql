-- Phone accelerometer readings of consenting customers. The one parameter is
-- the consent policy: 'any' keeps every reading, 'as-of' only those taken at
-- or after the customer's shareWithResearchAsOfDate. Each reading carries its
-- customer's serialNumber (customer_trusted holds a serial for one email only),
-- so the API pages readings by device without joining the customers again.
WITH source AS (
    SELECT * FROM accelerometer_landing
),

renamed AS (
    SELECT
        "user",
        "timestamp",
        "x",
        "y",
        "z"
    FROM source
),

-- only the readings of consenting customers are deduplicated: the join below
-- drops the rest, and deduplicating half the rows costs half as much
deduplicated AS (
    SELECT DISTINCT * FROM renamed
    WHERE "user" IN (SELECT "email" FROM customer_trusted)
),

consenting AS (
    SELECT "email", "serialNumber", "shareWithResearchAsOfDate" FROM customer_trusted
),

final AS (
    SELECT
        reading."user",
        reading."timestamp",
        reading."x",
        reading."y",
        reading."z",
        customer."serialNumber"
    FROM deduplicated AS reading
    INNER JOIN consenting AS customer
        ON reading."user" = customer."email"
    WHERE (? = 'any' OR reading."timestamp" >= customer."shareWithResearchAsOfDate")
)

SELECT * FROM final
