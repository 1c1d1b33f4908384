/**
 * A landing file saved compressed under a data file's name (`gzip -c customers.json > x.json`, a log shipper writing
 * gzip to `.json` keys) is quarantined line by line as bytes no search can read, so a revocation inside it would be
 * lost. Its first line starts with the format's magic bytes, as both engines decode them (each byte that is not
 * UTF-8 a U+FFFD): a quarantined customer line that starts so names every customer (doubt hides) until the file is
 * decompressed, and its reason names the format (REASONS.compressed), so the operator knows to decompress it.
 */

/**
 * Each format's start, as a regex both Trino (Joni) and JavaScript (with the `u` flag, `\x{` read as `\u{`) accept,
 * named by the tool that decompresses it: gzip (1F 8B 08), Zstandard (28 B5 2F FD), xz (FD 37 7A 58 5A 00), bzip2
 * (`BZh`, the block size, `1AY&SY`), zip.
 */
export const COMPRESSED_FORMATS: ReadonlyArray<{ format: string; start: string }> = [
  { format: 'gzip', start: String.raw`\x{1F}\x{FFFD}\x{8}` },
  { format: 'zstd', start: String.raw`\(\x{FFFD}/\x{FFFD}` },
  { format: 'xz', start: String.raw`\x{FFFD}7zXZ\x{0}` },
  { format: 'bzip2', start: String.raw`BZh[1-9]1AY&SY` },
  { format: 'zip', start: String.raw`PK\x{3}\x{4}` },
];

/** Any format's start, anchored. */
export const COMPRESSED_START = `^(?:${COMPRESSED_FORMATS.map((f) => f.start).join('|')})`;

const inJavaScript = (start: string): RegExp => new RegExp(`^(?:${start.replaceAll('\\x{', '\\u{')})`, 'u');
const STARTS = COMPRESSED_FORMATS.map(({ format, start }) => ({ format, regex: inJavaScript(start) }));

/** The format of the compressed file a quarantined line starts as (`gzip`), or undefined. */
export const compressedFormat = (line: string): string | undefined => STARTS.find((s) => s.regex.test(line))?.format;

/** Whether a quarantined line starts as a compressed file does. */
export const startsCompressed = (line: string): boolean => compressedFormat(line) !== undefined;
