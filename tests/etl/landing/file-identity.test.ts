import { appendFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changeOf, statOrGone } from '../../../etl/landing/file-identity';
import { makeTempDir } from '../../helpers/landing-fixture';

/** The identity a build compares before and after reading a landing file, and while waiting for a changed one to settle. */
describe('a landing file identity', () => {
  const file = (): string => {
    const path = join(makeTempDir('stedi-identity-'), 'customer-1.json');
    writeFileSync(path, '{"a":1}\n');
    return path;
  };

  it('tells each change a writer can make from none', async () => {
    const cases: Array<[string, (path: string) => void]> = [
      ['appended to', (path) => appendFileSync(path, '{"b":2}\n')],
      ['cut short', (path) => truncateSync(path, 2)],
      ['changed in place', (path) => writeFileSync(path, '{"a":2}\n')],
      ['replaced', (path) => (writeFileSync(`${path}.part`, '{"a":1}\n'), renameSync(`${path}.part`, path))],
      ['removed', (path) => rmSync(path)],
    ];
    for (const [change, write] of cases) {
      const path = file();
      // The kernel stamps times from a clock that moves every few ms: a rewrite in the same tick keeps them.
      await new Promise((resolve) => setTimeout(resolve, 30));
      const before = await statOrGone(path);
      write(path);
      expect([change, changeOf(before, await statOrGone(path))]).toEqual([change, change]);
    }
    const path = file();
    expect(changeOf(await statOrGone(path), await statOrGone(path))).toBeUndefined();
  });

  it('reads a file that is gone as undefined, and fails on any other stat error', async () => {
    expect(await statOrGone(join(makeTempDir('stedi-identity-'), 'gone.json'))).toBeUndefined();
    await expect(statOrGone(`${file()}/below-a-file.json`)).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});
