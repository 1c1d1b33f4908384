import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outsideLanding } from '../../../../etl/engine/duckdb/landing-links';
import { makeTempDir } from '../../../helpers/landing-fixture';

/** Where a landing path leads once links are followed: inside the landing folder, or out of it (refused by builds). */
describe('a landing path followed through its links', () => {
  const root = makeTempDir();
  const away = makeTempDir();
  mkdirSync(join(root, 'customer', 'landing'), { recursive: true });
  writeFileSync(join(root, '..kept.json'), '');
  writeFileSync(join(away, 'passwd.json'), '');
  symlinkSync(join(root, '..kept.json'), join(root, 'customer', 'landing', 'inside.json'));
  symlinkSync(join(away, 'passwd.json'), join(root, 'customer', 'landing', 'outside.json'));

  it('is inside when it leads to a file whose name starts with two dots, within the folder', async () => {
    expect(await outsideLanding(root, join(root, 'customer', 'landing', 'inside.json'))).toBeUndefined();
  });

  it('names where it leads when that is out of the folder', async () => {
    expect(await outsideLanding(root, join(root, 'customer', 'landing', 'outside.json'))).toMatch(/passwd\.json$/);
  });
});
