import { rmSync } from 'node:fs';
import { JEST_TMPDIR } from './jest-tmpdir';

/** Runs once after every jest run: the run's temporary folders go with it, whatever a test left there. */
export default function globalTeardown(): void {
  const root = process.env[JEST_TMPDIR];
  if (root) rmSync(root, { recursive: true, force: true });
}
