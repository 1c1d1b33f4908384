import { aroundAddressPattern } from '../../landing/email-spelling';
import { OVERRIDE } from '../../landing/bidi-display';
import { decomposed, fold, masked, searched, spelling } from './address-spelling-sql';
import { drawn, trinoCodePoint } from './drawn-text-sql';
import { literal } from './statements';

/** What may stand around an address in an email field (email-spelling.ts), as a Trino regex literal. */
const AROUND_SQL = literal(aroundAddressPattern(trinoCodePoint));

/**
 * The Athena doubt view's CTEs (consent-uncertain-statements.ts) on what the accepted emails ("valid") say of one
 * another, as accepted-spellings.ts decides it: "spelled", each one's spelling and how many share it; "parts", the
 * addresses one holds beside other text, decoded or drawn; "within", those pairs.
 */
export const acceptedSpellingsCtes = (): string[] => [
  // Each accepted email's spelling and how many accepted emails share it: counted, not paired (n of one spelling made n² pairs).
  `"spelled" AS (`,
  `  SELECT "email", "folded", "spelling", ${decomposed('"spelling"')} AS "apart", ${masked('"spelling"')} AS "masked", count(*) OVER (PARTITION BY "spelling") AS "alike"`,
  `  FROM (SELECT "email", ${fold('"email"')} AS "folded", ${spelling('"email"')} AS "spelling" FROM "valid") AS "s"`,
  `),`,
  // Each accepted email holding another accepted address beside other text (email-spelling.ts addressesWithin).
  `"parts" AS (`,
  `  SELECT "email", regexp_replace(${spelling('"t"')}, '\\.+$', '') AS "part"`,
  `  FROM "valid" CROSS JOIN UNNEST(regexp_split("email", ${AROUND_SQL})) AS "x"("t")`,
  `  WHERE strpos("t", '@') > 0 AND (regexp_like("email", ${AROUND_SQL}) OR "email" LIKE '%.')`,
  // Or decoded, as a bad line is searched (`ann%40x.com`, `ann&#64;x.com`: accepted-spellings.ts).
  `  UNION ALL`,
  `  SELECT "email", "part" FROM (SELECT "email", ${searched('"email"')} AS "part", ${spelling('"email"')} AS "own" FROM "valid") AS "d" WHERE "part" <> "own"`,
  // Or as drawn, a right-to-left override's run reversed (bidi-display.ts: `\u202Emoc.x@ecila` reads alice@x.com).
  `  UNION ALL`,
  `  SELECT "email", ${spelling(drawn('"email"'))}`,
  `  FROM "valid" WHERE strpos("email", chr(${OVERRIDE})) > 0`,
  `),`,
  // A spelling others share hides them all below: only the email holding it is added then (n of them made n² rows).
  `"within" AS (`,
  `  SELECT "p"."email" AS "outer", "o"."email" AS "inner"`,
  `  FROM "parts" AS "p" JOIN "spelled" AS "o" ON "o"."spelling" = "p"."part" AND "o"."alike" = 1 AND "o"."email" <> "p"."email"`,
  `  UNION ALL`,
  `  SELECT "email", CAST(NULL AS varchar) FROM "parts" WHERE "part" IN (SELECT "spelling" FROM "spelled" WHERE "alike" > 1)`,
  `),`,
];
