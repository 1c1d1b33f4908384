import type { ConsentPolicy } from './consent-policy';
import type { UniqueKey } from './engine/build-target';
import { deviceSql } from './landing/serial-spelling';
import { BUILT_TABLES, CONSENT_UNCERTAIN_TABLE, TABLES } from './tables';

/**
 * Invariants every build must satisfy before it may go live. Each check is a
 * SELECT of one row, `violations`, in SQL both engines accept; the texts are
 * made from the catalogue only, never from input.
 */
export interface Check {
  name: string;
  description: string;
  sql: string;
  /** A uniqueness check's table and key (see BuildTarget.violations). */
  unique?: UniqueKey;
}

const q = (identifier: string): string => `"${identifier}"`;

const count = (from: string): string => `SELECT count(*) AS violations FROM ${from}`;

// Private: the freshest landing record of every email, recomputed independently of the zone SQL.
const LATEST_LANDING = `(
  SELECT "email", "shareWithResearchAsOfDate" FROM (
    SELECT "email", "shareWithResearchAsOfDate",
           row_number() OVER (PARTITION BY "email" ORDER BY "lastUpdateDate" DESC,
                              CASE WHEN "shareWithResearchAsOfDate" IS NULL THEN 0 ELSE 1 END) AS recency
    FROM customer_landing
  ) AS ranked WHERE recency = 1
)`;

// Private: a serial's device (serial-spelling.ts): ASCII case and a UUID's marks aside; NULL for a serial that is not visible ASCII.
const DEVICE = deviceSql('"serialNumber"');

// Private: every landing record's claim on its device, whatever its date: a device another email named before may
// hold that customer's readings.
const CLAIMS = `(SELECT "email", ${DEVICE} AS "device" FROM customer_landing)`;

// Private: devices named by two emails, or by a customer who does not consent or whose consent is uncertain (in any
// of their records).
const UNSAFE_DEVICES = `(
  SELECT "device" FROM ${CLAIMS} AS c
  GROUP BY "device"
  HAVING count(DISTINCT "email") > 1
  UNION
  SELECT ${DEVICE} AS "device" FROM customer_landing
  WHERE "email" IN (SELECT "email" FROM ${LATEST_LANDING} AS l WHERE l."shareWithResearchAsOfDate" IS NULL)
     OR "email" IN (SELECT "email" FROM ${CONSENT_UNCERTAIN_TABLE})
)`;

/** How many devices two or more emails claim in their landing records (reported, their readings excluded). */
export const AMBIGUOUS_SERIALS_SQL = count(`(SELECT "device" FROM ${CLAIMS} AS c GROUP BY "device" HAVING count(DISTINCT "email") > 1) AS ambiguous`);

// Private: the serials a trusted row may carry, as landing customers wrote them, naming a device none makes unsafe.
// Each row's serial is then probed in this set, not spelled: the trusted tables hold millions of rows.
const SAFE_SERIALS = `(
  SELECT DISTINCT "serialNumber" FROM customer_landing
  WHERE ${DEVICE} IS NOT NULL
    AND ${DEVICE} NOT IN (SELECT "device" FROM ${UNSAFE_DEVICES} AS unsafe WHERE "device" IS NOT NULL)
)`;

/**
 * Subqueries several checks repeat word for word, in the order one may contain another. An engine may compute each
 * once per build and read it by `name` wherever its text appears (the landing tables they read never change during
 * a build); the texts stay whole in every check, so an engine that does not still runs each check as written.
 */
export const SHARED_CHECK_SUBQUERIES: ReadonlyArray<{ name: string; sql: string }> = [
  { name: 'check_latest_landing', sql: LATEST_LANDING },
  { name: 'check_safe_serials', sql: SAFE_SERIALS },
];

function deviceChecks(): Check[] {
  return ['accelerometer_trusted', 'step_trainer_trusted', 'machine_learning_curated'].map((table) => ({
    name: `${table}_device_consented`,
    description: `every ${table} row's serialNumber is a landing customer's, visible ASCII, naming a device of one consenting customer only`,
    sql: count(`${table} AS r WHERE r."serialNumber" IS NULL OR r."serialNumber" NOT IN (SELECT "serialNumber" FROM ${SAFE_SERIALS} AS safe)`),
  }));
}

function consentChecks(): Check[] {
  return ['customer_trusted', 'customer_curated'].map((table) => ({
    name: `${table}_consented`,
    description: `every customer in ${table} consents to research in their freshest landing record`,
    sql: count(
      `${table} AS c LEFT JOIN ${LATEST_LANDING} AS l ON c."email" = l."email"
       WHERE c."shareWithResearchAsOfDate" IS NULL OR l."shareWithResearchAsOfDate" IS NULL
          OR c."email" IN (SELECT "email" FROM ${CONSENT_UNCERTAIN_TABLE})`,
    ),
  }));
}

function ownershipChecks(): Check[] {
  return [
    {
      name: 'accelerometer_trusted_owned',
      description: 'every trusted accelerometer reading belongs to a trusted customer, under that customer\'s serialNumber',
      sql: count(
        `accelerometer_trusted AS r WHERE NOT EXISTS (
           SELECT 1 FROM customer_trusted AS c WHERE c."email" = r."user" AND c."serialNumber" = r."serialNumber")`,
      ),
    },
    {
      name: 'step_trainer_trusted_owned',
      description: 'every trusted step trainer reading belongs to a curated customer',
      sql: count(`step_trainer_trusted AS r WHERE r."serialNumber" NOT IN (SELECT "serialNumber" FROM customer_curated)`),
    },
    {
      name: 'machine_learning_curated_same_customer',
      description: 'every training sample pairs the step trainer and the phone of the same curated customer',
      sql: count(
        `machine_learning_curated AS m LEFT JOIN customer_curated AS c
           ON m."email" = c."email" AND m."serialNumber" = c."serialNumber"
         WHERE c."email" IS NULL`,
      ),
    },
  ];
}

function asOfChecks(): Check[] {
  return [
    {
      name: 'accelerometer_trusted_after_consent',
      description: 'under the as-of policy, no accelerometer reading predates its consent',
      sql: count(
        `accelerometer_trusted AS r JOIN customer_trusted AS c ON r."user" = c."email"
         WHERE r."timestamp" < c."shareWithResearchAsOfDate"`,
      ),
    },
    {
      name: 'step_trainer_trusted_after_consent',
      description: 'under the as-of policy, no step trainer reading predates its consent',
      sql: count(
        `step_trainer_trusted AS r JOIN customer_trusted AS c ON r."serialNumber" = c."serialNumber"
         WHERE r."sensorReadingTime" < c."shareWithResearchAsOfDate"`,
      ),
    },
  ];
}

function keyChecks(): Check[] {
  const keyed = BUILT_TABLES.map((t) => TABLES[t]).filter((t) => t.key.length > 0);
  const extra = [{ table: 'customer_trusted', key: ['serialNumber'] }];
  return [...keyed.map((t) => ({ table: t.name as string, key: t.key })), ...extra].map(({ table, key }) => {
    const columns = key.map(q).join(', ');
    return {
      name: `${table}_unique_${key.join('_')}`,
      description: `${table} has at most one row per (${key.join(', ')})`,
      sql: count(`(SELECT ${columns} FROM ${table} GROUP BY ${columns} HAVING count(*) > 1) AS duplicated`),
      unique: { table, key },
    };
  });
}

export function checksFor(policy: ConsentPolicy): Check[] {
  return [...consentChecks(), ...deviceChecks(), ...ownershipChecks(), ...(policy === 'as-of' ? asOfChecks() : []), ...keyChecks()];
}
