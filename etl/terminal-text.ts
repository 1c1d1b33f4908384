/**
 * Text from a file (a name, a parser's quote of its bytes) as a message shows it: control characters written as
 * \xHH, never sent to the terminal, where an escape sequence in a damaged or hostile file could rewrite the screen.
 */
export const terminalText = (text: string): string => text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
