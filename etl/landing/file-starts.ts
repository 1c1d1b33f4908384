import { COMPRESSED_FORMATS } from './compressed-start';
import { COMPRESSED_REASON_PREFIX, REASONS } from './landing-rules';

/**
 * What a bad line's first characters say its whole file is: a compressed file (compressed-start.ts), or text saved as
 * UTF-16 (Windows PowerShell 5's `>` and `Out-File`, Notepad's "Unicode"), whose every line would otherwise read as
 * "malformed JSON" (its first as "invalid UTF-8"), which told no one to save it as UTF-8. Both engines give that reason
 * to every later bad line of the file too (landing-reader.ts, Athena's landing-statements.ts).
 */

/**
 * UTF-16's starts, as regexes both engines accept (see compressed-start.ts): its byte order mark (FF FE or FE FF, each
 * byte a U+FFFD) before an ASCII character beside its NUL, or two ASCII characters each beside a NUL (no mark, or a
 * later line: little-endian lines after the first start with the NUL of the line feed before them). A valid line never
 * starts so: only refused lines are asked.
 */
const ASCII = String.raw`[\x{1}-\x{7F}]`;
const UTF16_STARTS = [String.raw`\x{FFFD}\x{FFFD}(?:${ASCII}\x{0}|\x{0}${ASCII})`, String.raw`${ASCII}\x{0}${ASCII}\x{0}`, String.raw`\x{0}${ASCII}\x{0}${ASCII}`];

/** Each start and the reason it gives, compressed formats first (their reason wins, as before UTF-16 was told). */
export const FILE_STARTS: ReadonlyArray<{ start: string; reason: string }> = [
  ...COMPRESSED_FORMATS.map(({ format, start }) => ({ start, reason: REASONS.compressed(format) })),
  ...UTF16_STARTS.map((start) => ({ start, reason: REASONS.utf16 })),
];

const inJavaScript = (start: string): RegExp => new RegExp(`^(?:${start.replaceAll('\\x{', '\\u{')})`, 'u');
const STARTS = FILE_STARTS.map(({ start, reason }) => ({ reason, regex: inJavaScript(start) }));

/** The reason a refused line's start gives its file (`compressed file (gzip)`), or undefined. */
export const fileStartReason = (line: string): string | undefined => STARTS.find((s) => s.regex.test(line))?.reason;

/** Whether `reason` is one a file's start gives (its files are counted: the operator fixes files, not lines). */
export const isFileReason = (reason: string): boolean => reason.startsWith(COMPRESSED_REASON_PREFIX) || reason === REASONS.utf16;
