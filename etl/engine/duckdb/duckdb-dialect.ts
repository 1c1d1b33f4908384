import type { SqlDialect } from '../engine';

export const duckDbDialect: SqlDialect = {
  bucket100: (textExpr) => `(CAST(('0x' || substr(md5(${textExpr}), 1, 8)) AS BIGINT) % 100)`,
};
