import { rename, unlink, writeFile } from 'node:fs/promises';

/**
 * Writes `text` to `temporary`, flushed, then renames it over `path`: readers see the old file or the new one,
 * never a torn write. A write that fails (a full disk) has made the temporary file already: it goes, so a failed
 * build leaves nothing.
 */
export async function replaceFile(path: string, temporary: string, text: string): Promise<void> {
  try {
    await writeFile(temporary, text, { flush: true });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
