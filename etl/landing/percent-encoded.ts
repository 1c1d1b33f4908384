/**
 * A bad line's URL percent-encoding (RFC 3986), as a form's body or a query
 * string writes an address: `email=alice%40test.com&…` (a browser's
 * application/x-www-form-urlencoded), `jos%C3%A9%40x.com`. The address search
 * decodes each run of `%XX` as UTF-8 before spelling the line; a run that is
 * not UTF-8 (a Latin-1 `%E9`) is left as written. Controls and the space
 * (`%00`-`%20`) are never decoded: no address holds one, and no NUL reaches SQL
 * text. A `+` stays a `+` (a form's space, but an address's plus far more often).
 * One pattern for JavaScript, Trino (Joni) and the stand-in's RE2; group 1 is the run.
 */
export const PERCENT_RUN = String.raw`((?:%(?:2[1-9a-fA-F]|[3-9a-fA-F][0-9a-fA-F]))+)`;

const RUN = new RegExp(PERCENT_RUN, 'g');

function decoded(run: string): string {
  // One ASCII byte (the common `%40`) is its own character: no buffer for it.
  if (run.length === 3 && run.charCodeAt(1) < 0x38) return String.fromCharCode(parseInt(run.slice(1), 16));
  const text = Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8');
  // Invalid UTF-8 decodes with U+FFFD on both engines (however many of them): then the run is left as written.
  return text.includes('\uFFFD') ? run : text;
}

/** `text` with its runs of percent-encoded bytes decoded, in one pass (a decoded `%` starts no new run). */
export const decodePercents = (text: string): string => (text.includes('%') ? text.replace(RUN, decoded) : text);
