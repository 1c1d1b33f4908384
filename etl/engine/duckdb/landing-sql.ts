/** A SQL string literal for DuckDB (file paths made by the lake, never user input). */
export const sqlStringLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A schema column name as a DuckDB identifier (names come from tables.ts, never user input). */
export const sqlIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;
