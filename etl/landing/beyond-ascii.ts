import { isAscii, spellingOf } from './email-spelling';

/**
 * A line not saved as UTF-8 (Latin-1, Windows-1252: `josé` with é the byte 0xE9) reads with U+FFFD for what it
 * garbles, as many as the decoder makes (Node and Java may differ; two Latin-1 bytes can make one), and one saved as
 * UTF-8 twice reads `josÃ©`: either way the ASCII around them is intact. So each run of characters beyond ASCII, in
 * a bad line's spelling and in an accepted email's, reads as one U+FFFD (any run names any run: doubt hides), and a
 * bad line's run may also stand for nothing: an invisible character the fold would have dropped, garbled (a Latin-1
 * no-break space is a U+FFFD; saved as UTF-8 twice, a no-break space is `Â` + itself, a zero-width space `â€‹`).
 */
export const REPLACEMENT = '\uFFFD';
/** A run of characters beyond ASCII, as Trino (Joni) and the stand-in's RE2 write it (the Athena view masks alike). */
export const BEYOND_ASCII_RUN = String.raw`[^\x{0}-\x{7F}]+`;
const BEYOND_ASCII = /[^\x00-\x7f]+/g;
/** A spelling with each run of characters beyond ASCII one U+FFFD. */
export const maskedOf = (spelled: string): string => spelled.replace(BEYOND_ASCII, REPLACEMENT);
/** A spelling without its runs beyond ASCII (each may be a garbled invisible character), or undefined when it has none. */
export const bareOf = (spelled: string): string | undefined => (isAscii(spelled) ? undefined : spelled.replace(BEYOND_ASCII, ''));
/** An email's spelling masked (maskedOf), as a masked line is searched for it. */
export const maskedSpellingOf = (email: string): string => maskedOf(spellingOf(email));
