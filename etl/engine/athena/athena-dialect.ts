import type { SqlDialect } from '../engine';

/**
 * Athena's spelling of the portable expressions. Trino's md5 hashes bytes and
 * to_hex writes upper-case hex; from_base parses with Java's Long.parseLong,
 * which reads either case, so the bucket is the same number as DuckDB's
 * `CAST('0x' || substr(md5(text), 1, 8) AS BIGINT) % 100` and as JS's
 * `parseInt(md5hex.slice(0, 8), 16) % 100`.
 */
export const athenaDialect: SqlDialect = {
  bucket100: (textExpr) => `(from_base(substr(to_hex(md5(to_utf8(${textExpr}))), 1, 8), 16) % 100)`,
};
