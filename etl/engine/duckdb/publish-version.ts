import type { LakeManifest } from '../../manifest';
import { BUILT_TABLES } from '../../tables';
import type { LockHolder } from './lock-holder';
import { manifestIdentity, writeBuildRecord } from './build-records';
import { writeExpiringMarks } from './expiring-marks';
import { onLakeFilesystem } from './fs-errors';
import { lakeFolderGone } from './lake-folder-identity';
import { writeLocalManifest } from './local-manifest';
import { filesUnder, syncFilesAndFolders } from './durable-files';
import type { LakeLayout } from './lake-layout';

/**
 * Makes a built version live (duckdb-build-target.ts): its record says it publishes and what it expires, its files
 * reach the disk (but those `flushed` already, with their folders), and the manifest's rename names it. `closeDuckDb`
 * (a few ms, on this thread) runs while the record and the files are on their way to the disk.
 */
export async function publishVersion(
  layout: LakeLayout,
  build: { version: string; holder: LockHolder; lakeAt?: string; expiring: string[]; flushed?: ReadonlySet<string> },
  manifest: LakeManifest,
  closeDuckDb: () => void,
): Promise<void> {
  const { version, holder, expiring, flushed } = build;
  const { lake, manifestPath } = layout;
  // Its files went with the lake folder: a manifest written now would make a lake of it again, naming files it lacks.
  const gone = lakeFolderGone(lake, build.lakeAt);
  if (gone) throw gone;
  // Recorded first: if this process dies after the manifest is written, the next build finishes the removal
  // (by the marks too, should the record be damaged).
  const recording = onLakeFilesystem(layout.buildsDir, lake, async () => {
    await writeExpiringMarks(layout, version, expiring);
    await writeBuildRecord(layout, { version, holder, expiring, publishing: true, replacing: await manifestIdentity(layout) });
  });
  // On the disk before the manifest names them (durable-files.ts), and the manifest's rename before any expired version goes.
  const files = async (): Promise<string[]> => [...BUILT_TABLES.map((table) => layout.tableFile(table, version)), ...(await filesUnder(layout.quarantineDir(version)))];
  const syncing = onLakeFilesystem(layout.versionDir('customer_trusted', version), lake, async () => syncFilesAndFolders((await files()).filter((file) => !flushed?.has(file)), lake));
  // Every file is written and checked: DuckDB closes while the record and the files reach the disk.
  closeDuckDb();
  await Promise.all([recording, syncing]);
  await onLakeFilesystem(manifestPath, lake, () => writeLocalManifest(manifestPath, manifest));
}
