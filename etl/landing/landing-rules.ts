import type { ColumnType } from '../tables';

/**
 * The landing rules, declared once for every engine and for the consent
 * registry: what a landing line is, and each reason a line is quarantined.
 * The README's landing rules table is this file in prose.
 */

/** The landing files read: those named like this directly in `<source>/landing/` (any other name is not landing data). */
export const isLandingFileName = (name: string): boolean => /\.(json|jsonl|ndjson)$/i.test(name);

/** A line is what a producer wrote between `\n`s; one trailing `\r` (a Windows line end) is dropped. */
export const LINE_FEED = 0x0a;
export const CARRIAGE_RETURN = 0x0d;

/** Lines longer than this (in bytes, without the line end) are quarantined unread. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** Objects and arrays nested deeper than this are quarantined (a bound on the validator's recursion). */
export const MAX_NESTING = 64;

/** Whole-number fields (epoch milliseconds, distances) must be exact in a JavaScript number and GraphQL. */
export const MAX_SAFE_WHOLE = Number.MAX_SAFE_INTEGER;

/**
 * The least a customer date (epochMs columns) may be: 10^11 ms is 1973-03-03, and 10^11 s is the year 5138, so a
 * date below it was written in seconds (or is no date), and is quarantined rather than compared with milliseconds.
 */
export const MIN_EPOCH_MS = 1e11;

/**
 * A character outside visible ASCII (`!` to `~`), as a regex class JavaScript, DuckDB and Trino read alike: a
 * customer's serialNumber holding one is quarantined (REASONS.notVisibleAscii, serial-spelling.ts).
 */
export const NOT_VISIBLE_ASCII = '[^!-~]';

/** JSON whitespace (RFC 8259): a line of only these, of any length, is blank and skipped. */
export const isJsonWhitespace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0d || code === 0x0a;

const TYPE_WORD: Record<ColumnType, string> = { VARCHAR: 'a string', BIGINT: 'a whole number', DOUBLE: 'a number' };

/**
 * Whether `reason` is about a declared field's value (missing, wrong type, out of range, too long): the line is
 * then strict JSON read to its end, so every other field's value is known.
 */
export const FIELD_REASON_PREFIXES = ['field "', 'missing required field '] as const;
export const isFieldReason = (reason: string): boolean => FIELD_REASON_PREFIXES.some((prefix) => reason.startsWith(prefix));

/** How REASONS.compressed begins, for those who tell that reason from the others (the build summary). */
export const COMPRESSED_REASON_PREFIX = 'compressed file (';

/** Every quarantine reason, worded once. Reasons name declared fields only, never landing content. */
export const REASONS = {
  /** Before any other reason, on both engines: a line that starts as a compressed file does (compressed-start.ts), and every later bad line of its file. */
  compressed: (format: string) => `${COMPRESSED_REASON_PREFIX}${format})`,
  /** After a compressed file's, on both engines: a line that starts as UTF-16 text does (file-starts.ts), and every later bad line of its file. */
  utf16: 'saved as UTF-16, not UTF-8',
  invalidUtf8: 'invalid UTF-8',
  tooLong: (maxBytes: number) => `line longer than ${maxBytes} bytes`,
  byteOrderMark: 'starts with a byte order mark',
  malformed: 'malformed JSON',
  notNumber: 'NaN or Infinity is not JSON',
  controlCharacter: 'control character inside a string',
  unpairedSurrogate: 'unpaired surrogate escape in a string',
  numberOutOfRange: 'number out of range',
  tooDeep: `nested deeper than ${MAX_NESTING} levels`,
  trailingText: 'text after the JSON value',
  notObject: 'not a JSON object',
  duplicateKey: (field: string | undefined) => (field ? `duplicate key "${field}"` : 'duplicate key'),
  /** A top-level key that is a declared field's but for ASCII case and what is not a letter or digit (`SerialNumber`, ` email`, `share_with_…`): which one the producer meant is unknown. */
  respelledKey: (field: string) => `another spelling of key "${field}"`,
  missing: (field: string) => `missing required field "${field}"`,
  wrongType: (field: string, type: ColumnType, got: string) => `field "${field}" must be ${TYPE_WORD[type]}, got ${got}`,
  wholeOutOfRange: (field: string) => `field "${field}" is outside ±(2^53 - 1)`,
  textTooLong: (field: string, maxBytes: number) => `field "${field}" is longer than ${maxBytes} bytes`,
  dateInSeconds: (field: string) => `field "${field}" is below 10^11: a date in seconds, not epoch milliseconds`,
  /** A customer's serialNumber holding a space, a control, an invisible or a non-ASCII character (serial-spelling.ts): which device it names cannot be told. */
  notVisibleAscii: (field: string) => `field "${field}" must be visible ASCII, without spaces, controls, invisible or non-ASCII characters`,
} as const;

/**
 * A key as a respelling of a declared field's is compared (REASONS.respelledKey): ASCII letters in lower case, every
 * character that is not an ASCII letter or digit dropped. The Athena landing view folds keys alike.
 */
export const keySpellingOf = (key: string): string => key.replace(/[A-Z]/g, (c) => c.toLowerCase()).replace(/[^a-z0-9]/g, '');
