import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The variable that names this jest run's own temporary folder (global-setup.ts makes it, global-teardown.ts removes it). */
export const JEST_TMPDIR = 'STEDI_JEST_TMPDIR';

/**
 * Points TMPDIR at a folder of this run, so every temporary folder a test, a
 * server or a CLI it starts makes (through os.tmpdir(), which reads TMPDIR) is
 * removed at the end of the run, even one a failed or killed test left behind.
 */
export function useOwnTmpdir(): string {
  const root = mkdtempSync(join(tmpdir(), 'stedi-jest-'));
  // Searchable by all, as /tmp is: tests that run the CLI as another user open 0755 folders inside it.
  chmodSync(root, 0o755);
  process.env[JEST_TMPDIR] = root;
  process.env.TMPDIR = root;
  return root;
}
