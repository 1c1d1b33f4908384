import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type LakeManifest, parseManifest } from '../../manifest';

/** Reads the manifest of a local lake; null when the lake has never been built. */
export async function readLocalManifest(path: string): Promise<LakeManifest | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  return parseManifest(text, path);
}

/** Replaces the manifest atomically: readers see the old file or the new one, never a torn write. */
export async function writeLocalManifest(path: string, manifest: LakeManifest): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`, { flush: true });
  await rename(temporary, path);
}
