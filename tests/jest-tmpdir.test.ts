import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { sep } from 'node:path';
import { JEST_TMPDIR } from './helpers/jest-tmpdir';
import { makeTempDir } from './helpers/landing-fixture';

describe("a test run's temporary folders", () => {
  it('are made inside a folder of this run, which global-teardown.ts removes at its end', () => {
    const root = process.env[JEST_TMPDIR];
    expect(root).toBeDefined();
    const made = makeTempDir();
    expect({ tmpdir: tmpdir(), insideRoot: made.startsWith(`${root}${sep}`), rootExists: existsSync(root!) }).toEqual({ tmpdir: root, insideRoot: true, rootExists: true });
  });

  it('sit in a root other users can search, as /tmp is (the CLI run as another user reaches its lake)', () => {
    expect(statSync(process.env[JEST_TMPDIR]!).mode & 0o777).toBe(0o755);
  });
});
