import { TABLES } from '../../tables';
import { bare, decomposed, fold, masked, searched, spelling } from './address-spelling-sql';
import { DRAWN_LINE, DRAWS_LINE } from './drawn-text-sql';
import { deviceSpellingsSql, devicesNamedIn, keyedIn } from './line-names-sql';
import { literal } from './statements';

// Private: the declared fields' names, as Trino string literals.
const DECLARED = TABLES.customer_landing.columns.map((c) => literal(c.name)).join(', ');

/** A record's (`doc`, parsed JSON) members beyond the declared fields, as JSON text (Trino writes it anew: escapes decoded, numbers in its form). */
const undeclaredMembers = (doc: string): string =>
  `json_format(CAST(map_filter(CAST(${doc} AS map(varchar, json)), ("k", "v") -> NOT contains(ARRAY[${DECLARED}], "k")) AS json))`;

/**
 * The Athena doubt view's CTEs (consent-uncertain-statements.ts) on valid records ("line" in `checked`) with members
 * beyond the declared fields, searched as bad lines are (consent-doubt.ts claimedBeyond): "undeclared", those members;
 * "beyond", their text spelled and drawn; "beyond_keyed", the emails under their email keys; "claimed_beyond", the
 * devices they name. Each with its writer.
 */
export const undeclaredMembersCtes = (checked: string): string[] => [
  // An accepted record with a key beyond the declared fields (nested, an array, any other): those members (its
  // "line" here, as JSON: strict-record.ts lastBeyondText) may name a device or an address; its declared fields are its own.
  // Its "writer" is the spelling of its own email, which it never names; that text is searched as a bad line's is.
  `"undeclared" AS (`,
  `  SELECT ${undeclaredMembers('"doc"')} AS "line", "email", "lastUpdateDate"`,
  `  FROM (SELECT "email", "lastUpdateDate", json_parse("line") AS "doc" FROM ${checked} WHERE "reason" IS NULL) AS "v"`,
  `  WHERE cardinality(filter(map_keys(CAST("doc" AS map(varchar, json))), "k" -> "k" NOT IN (${DECLARED}))) > 0`,
  `),`,
  `"beyond" AS (`,
  `  SELECT "line", "email", "lastUpdateDate", "writer", "devices", "devices_decoded", "folded", "searched", ${decomposed('"searched"')} AS "apart", ${masked('"searched"')} AS "masked", ${bare('"searched"')} AS "bare"`,
  `  FROM (SELECT "line", "email", "lastUpdateDate", ${spelling('"email"')} AS "writer", ${deviceSpellingsSql('"line"').join(', ')}, ${fold('"line"')} AS "folded", ${searched('"line"')} AS "searched"`,
  `  FROM (SELECT "line", "email", "lastUpdateDate" FROM "undeclared"`,
  // Read again as drawn when an override reorders it, as a bad line is.
  `  UNION ALL`,
  `  SELECT ${DRAWN_LINE}, "email", "lastUpdateDate" FROM "undeclared"`,
  `  WHERE ${DRAWS_LINE}) AS "u") AS "b"`,
  `),`,
  // Each email under an email key of such a record (its own among them), with its writer.
  `"beyond_keyed" AS (`,
  ...keyedIn('"beyond"', ['"writer"']),
  `),`,
  // Each device such a record names, with its writer.
  `"claimed_beyond" AS (`,
  ...devicesNamedIn('"beyond"', '"email"'),
  `),`,
];
