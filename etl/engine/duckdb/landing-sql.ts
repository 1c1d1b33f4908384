/** A SQL string literal for DuckDB (file paths made by the lake, never user input). */
export const sqlStringLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;
