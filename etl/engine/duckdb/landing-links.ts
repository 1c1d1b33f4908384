import { realpath } from 'node:fs/promises';
import { pathInside } from '../../path-inside';

/**
 * Where a landing path really is, when that is outside the landing folder `root` (itself resolved, so a --landing
 * that is a link is the folder it names); undefined inside. A link out is refused, not followed: whoever may drop
 * files into landing could otherwise have the build read any file this user can (~/.aws/credentials, /etc/passwd)
 * and keep its lines in the lake's quarantine. A path that cannot be resolved is left to the caller's own checks.
 */
export async function outsideLanding(root: string, path: string): Promise<string | undefined> {
  const [realRoot, real] = await Promise.all([realpath(root), realpath(path)]).catch(() => [undefined, undefined]);
  if (realRoot === undefined || real === undefined) return undefined;
  return pathInside(realRoot, real) === undefined ? real : undefined;
}
