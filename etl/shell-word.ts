/**
 * A path as one shell word, for the commands a message suggests (`rm -r`, `chown -R`): pasted
 * as it is, a lake such as `/home/me/my lake` would otherwise name two paths, `/home/me/my` among them.
 */
export function shellWord(path: string): string {
  return /^[\w@%+=:,./~-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
