-- Phone accelerometer readings of consenting customers. The one parameter is
-- the consent policy: 'any' keeps every reading, 'as-of' only those taken at
-- or after the customer's shareWithResearchAsOfDate.
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

deduplicated AS (
    SELECT DISTINCT * FROM renamed
),

consenting AS (
    SELECT "email", "shareWithResearchAsOfDate" FROM customer_trusted
),

final AS (
    SELECT
        reading."user",
        reading."timestamp",
        reading."x",
        reading."y",
        reading."z"
    FROM deduplicated AS reading
    INNER JOIN consenting AS customer
        ON reading."user" = customer."email"
    WHERE (? = 'any' OR reading."timestamp" >= customer."shareWithResearchAsOfDate")
)

SELECT * FROM final
