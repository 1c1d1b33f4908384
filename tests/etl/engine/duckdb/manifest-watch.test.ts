import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { LakeManifest } from '../../../../etl/manifest';
import { ManifestWatch } from '../../../../etl/engine/duckdb/manifest-watch';
import * as localManifest from '../../../../etl/engine/duckdb/local-manifest';
import { makeTempDir } from '../../../helpers/landing-fixture';
import { manifestOfVersions } from '../../../helpers/manifest-fixture';

/** The live manifest as a server reads it: every request asks, the file is read again when a publish replaces it. */

jest.mock('../../../../etl/engine/duckdb/local-manifest', () => {
  const actual = jest.requireActual<typeof localManifest>('../../../../etl/engine/duckdb/local-manifest');
  return { ...actual, readLocalManifestOrCopy: jest.fn(actual.readLocalManifestOrCopy) };
});
const { writeLocalManifest } = jest.requireActual<typeof localManifest>('../../../../etl/engine/duckdb/local-manifest');
const readLocalManifestOrCopy = jest.mocked(localManifest.readLocalManifestOrCopy);

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const liveOf = (manifest: LakeManifest | null): string | undefined => manifest?.versions[0]?.version;

describe('the live manifest a server reads', () => {
  it('never answers an older version after a newer one was answered, however the reads of two publishes in a row interleave', async () => {
    const lake = makeTempDir('stedi-manifest-watch-');
    mkdirSync(join(lake, '_stedi'));
    const path = join(lake, '_stedi', 'manifest.json');
    await writeLocalManifest(path, manifestOfVersions('20260101t000000000z_aaaa'));
    // Taking in a new manifest (dropping the versions it no longer keeps) can wait: here, for the one the test releases.
    let release: (() => void) | undefined;
    const seen: Array<string | undefined> = [];
    const watch = new ManifestWatch(path, async (manifest) => {
      seen.push(liveOf(manifest));
      if (liveOf(manifest) === '20260102t000000000z_bbbb') await new Promise<void>((resolve) => (release = resolve));
    });
    expect(liveOf(await watch.read())).toBe('20260101t000000000z_aaaa');

    await nextTurn();
    await writeLocalManifest(path, manifestOfVersions('20260102t000000000z_bbbb', '20260101t000000000z_aaaa'));
    const first = watch.read();
    while (!release) await nextTurn();
    // A second publish while the first is still being taken in: a request in a later turn reads it and answers at once.
    await writeLocalManifest(path, manifestOfVersions('20260103t000000000z_cccc', '20260102t000000000z_bbbb', '20260101t000000000z_aaaa'));
    await nextTurn();
    expect(liveOf(await watch.read())).toBe('20260103t000000000z_cccc');
    release();
    // The request that saw the first publish ends after one was answered from the second: it answers from the second too.
    expect(liveOf(await first)).toBe('20260103t000000000z_cccc');
    expect(liveOf(await watch.read())).toBe('20260103t000000000z_cccc');
    await nextTurn();
    expect(liveOf(await watch.read())).toBe('20260103t000000000z_cccc');
    expect(seen.at(-1)).toBe('20260103t000000000z_cccc');
  });

  it('never answers an older version after a newer one was answered when the file read for the first publish ends after the second publish is taken in', async () => {
    const lake = makeTempDir('stedi-manifest-watch-');
    mkdirSync(join(lake, '_stedi'));
    const path = join(lake, '_stedi', 'manifest.json');
    await writeLocalManifest(path, manifestOfVersions('20260101t000000000z_aaaa'));
    const seen: Array<string | undefined> = [];
    const watch = new ManifestWatch(path, async (manifest) => void seen.push(liveOf(manifest)));
    expect(liveOf(await watch.read())).toBe('20260101t000000000z_aaaa');

    await nextTurn();
    await writeLocalManifest(path, manifestOfVersions('20260102t000000000z_bbbb', '20260101t000000000z_aaaa'));
    // The read of the first publish's file is slow (libuv's threads busy): it returns what the file held then, later.
    let release: (() => void) | undefined;
    readLocalManifestOrCopy.mockImplementationOnce(async (...args) => {
      const read = await jest.requireActual<typeof localManifest>('../../../../etl/engine/duckdb/local-manifest').readLocalManifestOrCopy(...args);
      await new Promise<void>((resolve) => (release = resolve));
      return read;
    });
    const first = watch.read();
    while (!release) await nextTurn();
    await writeLocalManifest(path, manifestOfVersions('20260103t000000000z_cccc', '20260102t000000000z_bbbb', '20260101t000000000z_aaaa'));
    await nextTurn();
    expect(liveOf(await watch.read())).toBe('20260103t000000000z_cccc');
    release();
    expect(liveOf(await first)).toBe('20260103t000000000z_cccc');
    expect(liveOf(await watch.read())).toBe('20260103t000000000z_cccc');
    // The engine is never told to keep the older manifest's versions after the newer one's.
    expect(seen.at(-1)).toBe('20260103t000000000z_cccc');
  });
});
