/**
 * Athena's text reader ends a line at a lone CR too (Hadoop's LineReader), where the embedded reader keeps the CR
 * inside the line, and the spellings drop it: `serial=serial-al<CR>ice` names alice's device and `bob@te<CR>st.com`
 * names bob on the embedded engine. On Athena each is two bad rows of one file, one ending with the name's first part
 * and one starting with the rest, and rows have no order to tell which rows were neighbours. So any two bad rows of
 * one file that put an accepted device (in their device spelling) or a lone accepted spelling of an email (in their
 * address spelling: named-addresses.ts) together this way name it, as the line would: a row's every ending and start
 * up to the longest such name, equi-joined with each name's cuts (linear in the rows, not in pairs of them). Two
 * rows that were not neighbours may so name one (doubt hides). A name cut by two CRs or more (a middle row holding
 * only a part of it) is not found.
 */

/**
 * CTEs (each a line of SQL; the last ends with a comma, as the next CTE follows) ending with "split_named" ("kind":
 * 'device' or 'email', "name"), from "bad" ("sourceFile", "devices", "searched"), "claims" ("device") and "spelled"
 * ("email", "spelling", "alike") as consent-uncertain-statements.ts names them.
 */
export const splitLineNames = (): string[] => [
  // The names that may be cut: each accepted device, and each lone accepted spelling of an email.
  `"cuttable" AS (`,
  `  SELECT 'device' AS "kind", "device" AS "name", "device" AS "text" FROM (SELECT DISTINCT "device" FROM "claims") AS "d" WHERE length("device") > 1`,
  `  UNION ALL`,
  `  SELECT 'email', "email", "spelling" FROM "spelled" WHERE "alike" = 1 AND strpos("spelling", '@') > 0 AND length("spelling") > 1`,
  `),`,
  // Each name cut after its k-th character: its first part and the rest.
  `"cuts" AS (`,
  `  SELECT "kind", "name", "k", substr("text", 1, "k") AS "head", substr("text", "k" + 1) AS "rest", length("text") - "k" AS "restLength"`,
  `  FROM "cuttable" CROSS JOIN UNNEST(sequence(1, length("text") - 1)) AS "s"("k")`,
  `),`,
  // The bad rows of files holding more than one, each spelled for devices and for addresses.
  `"split_rows" AS (`,
  `  SELECT "sourceFile", "kind", "text" FROM (`,
  `    SELECT "sourceFile", 'device' AS "kind", "devices" AS "text" FROM "bad"`,
  `    UNION ALL`,
  `    SELECT "sourceFile", 'email', "searched" FROM "bad"`,
  `  ) AS "r"`,
  `  WHERE length("text") > 0 AND "sourceFile" IN (SELECT "sourceFile" FROM "bad" GROUP BY "sourceFile" HAVING count(*) > 1)`,
  `),`,
  // Each row's ending and start of every length up to the longest name; each is matched once per file below.
  `"split_edges" AS (`,
  `  SELECT "sourceFile", "kind", "n", substr("text", length("text") - "n" + 1) AS "tail", substr("text", 1, "n") AS "front"`,
  `  FROM "split_rows" CROSS JOIN UNNEST(sequence(1, least(length("text"), (SELECT max(length("text")) FROM "cuttable")))) AS "e"("n")`,
  `),`,
  `"split_named" AS (`,
  `  SELECT DISTINCT "ends"."kind", "ends"."name"`,
  `  FROM (SELECT "r"."sourceFile", "c"."kind", "c"."name", "c"."k" FROM (SELECT DISTINCT "sourceFile", "kind", "n", "tail" FROM "split_edges") AS "r" JOIN "cuts" AS "c" ON "c"."kind" = "r"."kind" AND "c"."k" = "r"."n" AND "c"."head" = "r"."tail") AS "ends"`,
  `  JOIN (SELECT "r"."sourceFile", "c"."kind", "c"."name", "c"."k" FROM (SELECT DISTINCT "sourceFile", "kind", "n", "front" FROM "split_edges") AS "r" JOIN "cuts" AS "c" ON "c"."kind" = "r"."kind" AND "c"."restLength" = "r"."n" AND "c"."rest" = "r"."front") AS "starts"`,
  `    ON "starts"."sourceFile" = "ends"."sourceFile" AND "starts"."kind" = "ends"."kind" AND "starts"."name" = "ends"."name" AND "starts"."k" = "ends"."k"`,
  `),`,
];
