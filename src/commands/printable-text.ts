/**
 * Characters that end or rewrite a terminal line: C0 and C1 controls, DEL, and the Unicode line and paragraph
 * separators (Python's splitlines breaks at them too).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

const escape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * A path as a one-line summary prints it: as it is, or JSON-quoted when it holds a control character (a folder named
 * with a newline split `stedi build`'s summary into two lines, and a script reading it broke). JSON.stringify leaves
 * DEL, C1 and the separators as they are, so they are escaped too.
 */
export function printablePath(path: string): string {
  return CONTROL.test(path) ? JSON.stringify(path).replace(CONTROLS, escape) : path;
}

/** An engine's message (naming paths it did not quote) kept to one line: each control character as its \u escape. */
export function oneLine(text: string): string {
  return text.replace(CONTROLS, escape);
}

/**
 * A `stedi: ` line on stderr: a message (an engine's, naming paths it did not quote) with each control character as
 * its \u escape. A line break in a path was collapsed into a space (another path than the one on disk), and an
 * escape sequence in one reached the terminal.
 */
export const stderrLine = (message: string): string => `stedi: ${oneLine(message.trim())}\n`;
