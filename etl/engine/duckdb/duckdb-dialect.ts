import type { SqlDialect } from '../engine';

export const duckDbDialect: SqlDialect = {
  bucket100: (textExpr) => `(CAST(('0x' || substr(md5(${textExpr}), 1, 8)) AS BIGINT) % 100)`,
  // DuckDB's 64-bit hash cut to its low 53 bits (read as a JS number exactly); `%`, not `>>`, so Trino's grammar parses it too.
  textKey: (textExpr) => `CAST(hash(${textExpr}) % 9007199254740992 AS BIGINT)`,
};
