/**
 * A client's text quoted back in an error message, short and plain: at most QUOTED_MAX characters, letters, digits
 * and `._:-` as they are and any other character as `?`, longer text cut with its length said. `/export?format=` with
 * 8 KB of text (a link, a sentence, terminal escapes, right-to-left marks) was echoed whole into the 400's message.
 */
export const QUOTED_MAX = 24;

const PLAIN = /^[A-Za-z0-9._:-]$/;

export function quotedInput(text: string): string {
  const characters = [...text];
  const shown = characters.slice(0, QUOTED_MAX).map((c) => (PLAIN.test(c) ? c : '?')).join('');
  return characters.length > QUOTED_MAX ? `"${shown}…" (${characters.length} characters)` : `"${shown}"`;
}
