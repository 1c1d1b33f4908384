/**
 * A client's text quoted back in an error message, short and plain: at most QUOTED_MAX characters, letters, digits
 * and `._:-` as they are and any other character as `?`, longer text cut with its length said. `/export?format=` with
 * 8 KB of text (a link, a sentence, terminal escapes, right-to-left marks) was echoed whole into the 400's message.
 */
export const QUOTED_MAX = 24;

const PLAIN = /^[A-Za-z0-9._:-]$/;

export function quotedInput(text: string, max = QUOTED_MAX, plain = PLAIN): string {
  const characters = [...text];
  const shown = characters.slice(0, max).map((c) => (plain.test(c) ? c : '?')).join('');
  return characters.length > max ? `"${shown}…" (${characters.length} characters)` : `"${shown}"`;
}

/** The most of a request path a 404 quotes: a route's path and a typo fit; kilobytes of a client's own text do not. */
export const QUOTED_PATH_MAX = 64;

// A path's slashes stay, so `/graphq` reads as itself; its percent escapes stay escaped (`%1B` is three characters).
const PLAIN_IN_PATH = /^[A-Za-z0-9._:/%~-]$/;

/** A request path quoted back: at most QUOTED_PATH_MAX characters, as quotedInput quotes. */
export const quotedPath = (path: string): string => quotedInput(path, QUOTED_PATH_MAX, PLAIN_IN_PATH);
