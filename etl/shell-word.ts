/**
 * A path as one shell word, for the commands a message suggests (`rm -r`, `chown -R`): pasted
 * as it is, a lake such as `/home/me/my lake` would otherwise name two paths, `/home/me/my` among them.
 * A control character (a newline in a folder's name) is written as bash's $'\x0a' escape: the message stays one line.
 */
export function shellWord(path: string): string {
  if (/^[\w@%+=:,./~-]+$/.test(path)) return path;
  if (/[\u0000-\u001f\u007f]/.test(path)) {
    const escaped = path.replace(/[\\']/g, '\\$&').replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return `$'${escaped}'`;
  }
  return `'${path.replace(/'/g, `'\\''`)}'`;
}
