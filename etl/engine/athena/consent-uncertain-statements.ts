import { COMPRESSED_START } from '../../landing/compressed-start';
import { deviceSql } from '../../landing/serial-spelling';
import { FIELD_REASON_PREFIXES, MAX_SAFE_WHOLE, MIN_EPOCH_MS } from '../../landing/landing-rules';
import { consentUncertainName, landingCheckedName } from './object-names';
import { bare, decomposed, fold, masked, searched } from './address-spelling-sql';
import { acceptedSpellingsCtes } from './accepted-spellings-sql';
import { DRAWN_LINE, DRAWS_LINE } from './drawn-text-sql';
import { undeclaredMembersCtes } from './undeclared-members-sql';
import { deviceSpellingsSql, devicesNamedIn, keyedIn, names } from './line-names-sql';
import { splitLineNames } from './split-line-names';
import { type Statement, literal, qualified } from './statements';

/**
 * Doubt hides, on Athena: the emails whose consent a quarantined customer
 * line makes uncertain, decided as etl/landing/consent-doubt.ts decides them.
 * The bad line's emails are read from its raw text with that file's
 * patterns, spelled for Trino (line-names-sql.ts); a key may be written
 * with `\u` escapes, and an accepted email anywhere in the line (as written, ASCII case
 * aside, or its spelling within the line's: named-addresses.ts) names the customer who has it; so do an email under
 * the key and another accepted email that spell theirs otherwise (email-spelling.ts: case, invisible characters, NFKC). Like the embedded reader, the emails of a too-long line
 * are read from all of it; the line's date is its own top-level one, known
 * only when the line was refused for a field's value.
 *
 * A device named under a bad line's serialNumber key (serial-spelling.ts), or
 * anywhere in the line's spelling (named-devices.ts: every character outside
 * visible ASCII dropped, as written, or with its percent-encoding, escapes and
 * character references decoded and INVISIBLE_ESCAPES dropped), names every
 * customer whose freshest accepted records name it, until the line is fixed or,
 * when every email under its key is that customer's, they have a newer accepted
 * record (another writer's line makes the device ambiguous, however old).
 *
 * An accepted record with a top-level key beyond the declared fields is searched for devices as a bad line is: a
 * device it names is its writer's claim, so every other customer whose freshest records name it is in doubt, whatever
 * the dates (consent-doubt.ts claimedBeyond). It is searched for addresses as a bad line is too: one it names other
 * than its writer's own (by spelling) is in doubt, dated by the record.
 *
 * A doubt is cleared by an accepted record of the same email with a later
 * lastUpdateDate; one whose date cannot be read, only by fixing the line.
 */

export function createConsentUncertainView(database: string, version: string): Statement {
  return {
    grammar: 'trino',
    sql: [
      `CREATE VIEW ${qualified(database, consentUncertainName(version))} AS`,
      ...doubtRelations(qualified(database, landingCheckedName('customer', version)), 'freshest'),
      `SELECT DISTINCT "d"."email"`,
      `FROM "doubts" AS "d"`,
      `LEFT JOIN "valid" AS "v" ON "v"."email" = "d"."email"`,
      // A date that cannot be read (NULL) is never cleared.
      `WHERE NOT coalesce("v"."lastUpdateDate" > "d"."lastUpdateDate", false)`,
    ].join('\n'),
  };
}

/**
 * The WITH clause both doubt reads share, up to "doubts" (emails, dated) and "device_doubts" (each customer holding a
 * device a line puts in doubt, with that device). `holders`: whose devices the device doubts look at ("claims"): each
 * customer's freshest records' (the view), or every accepted record's (heldInDoubtSql), "freshest" kept beside.
 */
export function doubtRelations(checked: string, holders: 'freshest' | 'every'): string[] {
  // Refused for a field's value: the line is strict JSON read to its end, and its own top-level date is known.
  const fieldReason = `(${FIELD_REASON_PREFIXES.map((prefix) => `"reason" LIKE ${literal(`${prefix}%`)}`).join(' OR ')})`;
  return [
    `WITH`,
    `"bad" AS (`,
    `  SELECT "sourceFile", "line", "folded", "searched", ${decomposed('"searched"')} AS "apart", ${masked('"searched"')} AS "masked", ${bare('"searched"')} AS "bare", "lastUpdateDate", "devices", "devices_decoded"`,
    `  FROM (SELECT "sourceFile", "line", ${fold('"line"')} AS "folded", ${searched('"line"')} AS "searched",`,
    // Its text spelled as devices are, as written and decoded (named-devices.ts).
    ...deviceSpellingsSql('"line"').map((column) => `    ${column},`),
    // Its own date when the line was read to its end and the date is a whole number within ±(2^53 − 1), in milliseconds; else unknown.
    `    CASE WHEN ${fieldReason} AND abs("date") <= ${MAX_SAFE_WHOLE} AND floor("date") = "date" AND "date" >= ${MIN_EPOCH_MS} THEN CAST("date" AS bigint) END AS "lastUpdateDate"`,
    `  FROM (SELECT "sourceFile", "line", "reason", try_cast(json_extract_scalar("line", '$.lastUpdateDate') AS double) AS "date" FROM ${checked} WHERE "reason" IS NOT NULL`,
    // A line a right-to-left override draws otherwise is also read as drawn (bidi-display.ts), as another bad line.
    `  UNION ALL`,
    `  SELECT "sourceFile", ${DRAWN_LINE}, "reason", try_cast(json_extract_scalar("line", '$.lastUpdateDate') AS double) FROM ${checked}`,
    `  WHERE "reason" IS NOT NULL AND ${DRAWS_LINE}) AS "refused") AS "b"`,
    `),`,
    `"valid" AS (`,
    `  SELECT "email", max("lastUpdateDate") AS "lastUpdateDate"`,
    `  FROM ${checked}`,
    `  WHERE "reason" IS NULL`,
    `  GROUP BY "email"`,
    `),`,
    ...acceptedSpellingsCtes(),
    // Each email under a bad line's key, with the line it came from.
    `"keyed" AS (`,
    ...keyedIn('"bad"', []),
    `),`,
    // Each accepted email's devices (serial-spelling.ts) at its freshest lastUpdateDate, and the devices bad lines name under the key.
    `"${holders === 'freshest' ? 'claims' : 'freshest'}" AS (`,
    `  SELECT "email", "device" FROM (`,
    `    SELECT "email", ${deviceSql('"serialNumber"')} AS "device", "lastUpdateDate", max("lastUpdateDate") OVER (PARTITION BY "email") AS "freshest"`,
    `    FROM ${checked} WHERE "reason" IS NULL`,
    `  ) AS "c" WHERE "lastUpdateDate" = "freshest"`,
    `),`,
    // Every accepted record's device, whatever its date: a kept version may hold a customer on one they have left.
    ...(holders === 'every' ? [`"claims" AS (`, `  SELECT DISTINCT "email", ${deviceSql('"serialNumber"')} AS "device" FROM ${checked} WHERE "reason" IS NULL`, `),`] : []),
    // A bad line every email under whose key has a newer valid record is superseded, as a valid record of theirs would be.
    `"superseded" AS (`,
    `  SELECT "k"."line"`,
    `  FROM "keyed" AS "k"`,
    `  LEFT JOIN "valid" AS "v" ON "v"."email" = "k"."email"`,
    // Or under its lone accepted spelling (email-spelling.ts), as an email's doubt is cleared.
    `  LEFT JOIN "spelled" AS "s" ON "s"."spelling" = "k"."spelling" AND "s"."alike" = 1`,
    `  LEFT JOIN "valid" AS "sv" ON "sv"."email" = "s"."email"`,
    `  GROUP BY "k"."line", "k"."lastUpdateDate"`,
    `  HAVING "k"."lastUpdateDate" IS NOT NULL`,
    `     AND bool_and(coalesce("v"."lastUpdateDate" > "k"."lastUpdateDate", false) OR coalesce("sv"."lastUpdateDate" > "k"."lastUpdateDate", false))`,
    `),`,
    // Each device a bad line names, with the line: its writers are the emails under its key ("keyed").
    `"named_devices" AS (`,
    ...devicesNamedIn('"bad"', '"line"'),
    `),`,
    ...undeclaredMembersCtes(checked),
    // A device or an email a lone CR cut in two bad rows of one file (split-line-names.ts).
    ...splitLineNames(),
    // A device a bad line names: every customer whose records ("claims") name it (devices follow consent). Another
    // writer's line makes it ambiguous, however old (any record of another email does): only a line whose every
    // writer is that customer (as written or by their lone spelling) is cleared, by their newer record ("superseded").
    `"device_doubts" AS (`,
    `  SELECT "c"."email", "c"."device"`,
    `  FROM "named_devices" AS "n"`,
    `  JOIN "claims" AS "c" ON "c"."device" = "n"."device"`,
    `  LEFT JOIN "spelled" AS "own" ON "own"."email" = "c"."email" AND "own"."alike" = 1`,
    `  WHERE "n"."line" NOT IN (SELECT "line" FROM "superseded")`,
    `     OR EXISTS (SELECT 1 FROM "keyed" AS "w" WHERE "w"."line" = "n"."line" AND "w"."email" <> "c"."email"`,
    `       AND ("own"."spelling" IS NULL OR "w"."spelling" <> "own"."spelling"))`,
    `  UNION ALL`,
    // A device an accepted record names beyond its declared fields: every other customer holding it, whatever the dates.
    `  SELECT "c"."email", "c"."device"`,
    `  FROM "claimed_beyond" AS "n"`,
    `  JOIN "claims" AS "c" ON "c"."device" = "n"."device" AND "c"."email" <> "n"."email"`,
    `  UNION ALL`,
    // A line cut by a lone CR names what it would name whole.
    `  SELECT "c"."email", "c"."device" FROM "split_named" AS "n" JOIN "claims" AS "c" ON "n"."kind" = 'device' AND "c"."device" = "n"."name"`,
    `),`,
    `"doubts" AS (`,
    `  SELECT "email", "lastUpdateDate" FROM "keyed"`,
    `  UNION ALL`,
    // An email under the key names every accepted spelling of it too (email-spelling.ts); one that others share is hidden below whatever the dates.
    `  SELECT "s"."email", "keyed"."lastUpdateDate"`,
    `  FROM "keyed"`,
    `  JOIN "spelled" AS "s" ON "keyed"."spelling" = "s"."spelling" AND "s"."alike" = 1`,
    `  UNION ALL`,
    // Every accepted email the line holds anywhere, as written (ASCII case aside) or spelled otherwise.
    `  SELECT "s"."email", "bad"."lastUpdateDate"`,
    `  FROM "bad"`,
    `  JOIN "spelled" AS "s" ON ${names('"bad"', '"line"', '"s"')}`,
    `  UNION ALL`,
    // The same search in an email under the key, decoded (ANN\u0040X.COM is ann@x.com in other case).
    `  SELECT "s"."email", "keyed"."lastUpdateDate"`,
    `  FROM "keyed"`,
    `  JOIN "spelled" AS "s" ON ${names('"keyed"', '"email"', '"s"')}`,
    `  UNION ALL`,
    // A device in doubt: every customer whose freshest records name it (device_doubts), however dated.
    `  SELECT "email", CAST(NULL AS bigint) FROM "device_doubts"`,
    `  UNION ALL`,
    // An address such a record names other than its writer's (by spelling), as a bad line's, dated by the record:
    // under an email key (and its lone accepted spelling), anywhere in its text, and in an email under the key decoded.
    `  SELECT "email", "lastUpdateDate" FROM "beyond_keyed" WHERE "spelling" <> "writer"`,
    `  UNION ALL`,
    `  SELECT "s"."email", "k"."lastUpdateDate"`,
    `  FROM "beyond_keyed" AS "k"`,
    `  JOIN "spelled" AS "s" ON "k"."spelling" = "s"."spelling" AND "s"."alike" = 1 AND "s"."spelling" <> "k"."writer"`,
    `  UNION ALL`,
    `  SELECT "s"."email", "b"."lastUpdateDate"`,
    `  FROM "beyond" AS "b"`,
    `  JOIN "spelled" AS "s" ON "s"."spelling" <> "b"."writer" AND ${names('"b"', '"line"', '"s"')}`,
    `  UNION ALL`,
    `  SELECT "s"."email", "k"."lastUpdateDate"`,
    `  FROM "beyond_keyed" AS "k"`,
    `  JOIN "spelled" AS "s" ON "s"."spelling" <> "k"."writer" AND ${names('"k"', '"email"', '"s"')}`,
    `  UNION ALL`,
    // A line cut by a lone CR names what it would name whole; its date is never read (not strict JSON read to its end).
    `  SELECT "name", CAST(NULL AS bigint) FROM "split_named" WHERE "kind" = 'email'`,
    `  UNION ALL`,
    // Two accepted spellings of one address (email-spelling.ts): each is in doubt, and no date clears it.
    `  SELECT "email", CAST(NULL AS bigint) FROM "spelled" WHERE "alike" > 1`,
    `  UNION ALL`,
    // An address written inside another accepted email's text: both, as two spellings.
    `  SELECT "outer", CAST(NULL AS bigint) FROM "within"`,
    `  UNION ALL`,
    `  SELECT "inner", CAST(NULL AS bigint) FROM "within" WHERE "inner" IS NOT NULL`,
    `  UNION ALL`,
    // A bad line that starts as a compressed file does (compressed-start.ts): its records cannot be read, so it names everyone.
    `  SELECT "email", CAST(NULL AS bigint) FROM "valid" WHERE EXISTS (SELECT 1 FROM "bad" WHERE regexp_like("bad"."line", ${literal(COMPRESSED_START)}))`,
    `)`,
  ];
}
