import { execFileSync } from 'node:child_process';
import { rmdirSync } from 'node:fs';
import { makeTempDir } from './landing-fixture';

/** Whether this process may mount a tmpfs (root, where the sandbox allows it): a real full disk for the tests that need one. */
export const canMountTmpfs = ((): boolean => {
  if (process.getuid?.() !== 0) return false;
  const probe = makeTempDir('stedi-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe]);
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
})();

/** A folder of the describe calling it with a tmpfs of `options` (`size=1m`, `ro,size=64k`) mounted on it for its tests. */
export function tmpfsForSuite(prefix: string, options: string): string {
  const mountPoint = makeTempDir(prefix);
  beforeAll(() => execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', mountPoint]));
  afterAll(() => execFileSync('umount', [mountPoint]));
  return mountPoint;
}
