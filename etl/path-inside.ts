import { isAbsolute, relative, sep } from 'node:path';

/**
 * `path` relative to `folder` ('' for the folder itself) when it lies inside it, undefined when it does not.
 * Only `..` or `../…` leads out: a name inside that starts with two dots (`..2026.json`) is inside.
 */
export function pathInside(folder: string, path: string): string | undefined {
  const inside = relative(folder, path);
  return inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? undefined : inside;
}
