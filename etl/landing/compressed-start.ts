/**
 * A landing file saved compressed under a data file's name (`gzip -c customers.json > x.json`, a log shipper writing
 * gzip to `.json` keys) is quarantined line by line as bytes no search can read, so a revocation inside it would be
 * lost. Its first line starts with the format's magic bytes, as both engines decode them (each byte that is not
 * UTF-8 a U+FFFD): a quarantined customer line that starts so names every customer (doubt hides) until the file is
 * decompressed.
 */

/**
 * The starts, as a regex both Trino (Joni) and JavaScript (with the `u` flag, `\x{` read as `\u{`) accept:
 * gzip (1F 8B 08), Zstandard (28 B5 2F FD), xz (FD 37 7A 58 5A 00), bzip2 (`BZh`, the block size, `1AY&SY`), zip.
 */
export const COMPRESSED_START = String.raw`^(?:\x{1F}\x{FFFD}\x{8}|\(\x{FFFD}/\x{FFFD}|\x{FFFD}7zXZ\x{0}|BZh[1-9]1AY&SY|PK\x{3}\x{4})`;

const START = new RegExp(COMPRESSED_START.replaceAll('\\x{', '\\u{'), 'u');

/** Whether a quarantined line starts as a compressed file does. */
export const startsCompressed = (line: string): boolean => START.test(line);
