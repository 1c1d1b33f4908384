/**
 * CSV formula injection (OWASP "CSV Injection", ASVS 5 1.2.10): a spreadsheet opening a CSV runs a text cell that
 * starts with `=`, `+`, `-` or `@` as a formula (TAB, CR and NUL are on the same lists; Excel under a CJK input method
 * takes their fullwidth forms `＝＋－＠` too). A landing file's serialNumber
 * is anyone's text, so a CSV export's text cells that start so get one `'` in front, which Excel and LibreOffice read
 * as "text" and do not show. One starting with `'` gets one too, so one rule undoes it for pandas: drop one leading
 * `'`. Number columns are never touched; NDJSON and Parquet keep the text as it is.
 */

/** The first characters that make a text cell a formula, and `'` (so the escape can be undone). */
export const FORMULA_STARTS = ['=', '+', '-', '@', '\t', '\r', '\0', "'", '\uff1d', '\uff0b', '\uff0d', '\uff20'] as const;

// Control characters by code (chr: DuckDB and Trino alike), the rest as literals.
const sqlChar = (c: string): string => (c < ' ' ? `chr(${c.charCodeAt(0)})` : `'${c.replace(/'/g, "''")}'`);

/** `text` (a SQL expression of a text column) with `'` in front when it starts as FORMULA_STARTS says: the same on DuckDB and Athena. */
export const formulaSafeSql = (text: string): string =>
  `CASE WHEN substr(${text}, 1, 1) IN (${FORMULA_STARTS.map(sqlChar).join(', ')}) THEN '''' || ${text} ELSE ${text} END`;
