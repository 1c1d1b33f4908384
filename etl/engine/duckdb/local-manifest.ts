import { readFile, rename, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, sep } from 'node:path';
import { pathInside } from '../../path-inside';
import { type LakeManifest, ManifestError, parseManifest, type VersionManifest } from '../../manifest';
import { BUILT_TABLES, SOURCES, landingTableOf } from '../../tables';
import { LakeFilesystemError } from '../engine-errors';
import { brokenLinkOnTheWay, fileInTheWay } from './filesystem-probes';
import { LakeLayout } from './lake-layout';
import { replaceFile } from './replace-file';
import { makeFolder } from '../../make-folder';

/**
 * The manifest of a local lake. Built tables and quarantine are always where
 * the layout puts them, so paths are recorded relative to the lake folder and
 * a manifest of format 1 (absolute paths) is read as if it were relative: the
 * lake can be moved, and the next build writes the relative form.
 */

/** Reads the manifest of a local lake; null when the lake has never been built. Throws ManifestError when it fails its schema. */
export async function readLocalManifest(path: string, lake: string = dirname(dirname(path))): Promise<LakeManifest | null> {
  let text: string;
  try {
    // A pipe there would block the read for ever.
    const kind = await stat(path);
    if (!kind.isFile()) throw new ManifestError(path, kind.isDirectory() ? 'is a folder, not a file' : 'is not a regular file (a pipe, socket or device)');
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return absentManifest(path);
    throw manifestReadError(error, path);
  }
  const manifest = parseManifest(text, path);
  const layout = new LakeLayout(lake);
  return { formatVersion: manifest.formatVersion, versions: manifest.versions.map((v) => relocated(v, layout)) };
}

/**
 * No manifest at `path`: null (never built), unless the lake (or its _stedi) is a link to nothing, a disk not
 * mounted, which is no lake to build (a build there fails saying so) and is said the same way here.
 */
export function absentManifest(path: string): null {
  // Only a folder on the way: a link in the manifest's own place is replaced by the next build, as a missing file is.
  const broken = brokenLinkOnTheWay(dirname(path));
  if (broken) throw new LakeFilesystemError(`cannot read the lake manifest ${path}: ${broken.link} is a link to ${broken.target}, which does not exist (a disk not mounted?); mount it, or point --lake at a folder`, path, 'ENOENT');
  return null;
}

/** Why the manifest at `path` cannot be read, as one line naming the fix; an error it does not know is returned as it is. */
export function manifestReadError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EISDIR') return new ManifestError(path, 'is a folder, not a file');
  if (code === 'ELOOP') return new ManifestError(path, 'is a link that leads back to itself');
  if (code === 'ENOTDIR') {
    const blocking = fileInTheWay(path);
    return blocking ? new LakeFilesystemError(`cannot read the lake manifest ${path}: ${blocking} is a file, not a folder; move it away (a build makes the folder)`, path, code) : error;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new LakeFilesystemError(`cannot read the lake manifest ${path} (${code}): the user running stedi (uid ${process.getuid?.()}) may not read it; give that user read access (chmod, chown) or run stedi as the lake's owner`, path, code);
  }
  return error;
}

/**
 * Replaces the manifest atomically: readers see the old file or the new one, never a torn write. Its copy
 * (manifestCopyOf) is replaced first, so it never names a version the manifest has not named or will not.
 */
export async function writeLocalManifest(path: string, manifest: LakeManifest): Promise<void> {
  await makeFolder(dirname(path));
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  await replaceFile(manifestCopyOf(path), temporaryBeside(manifestCopyOf(path)), text);
  await replaceFile(path, temporaryBeside(path), text);
}

/** A temporary name beside `path` that a dead process's leftover is known by (dead-builds.ts removes those). */
const temporaryBeside = (path: string): string => `${path}.${process.pid}.${Date.now()}.tmp`;

/**
 * The copy of the manifest each publish writes beside it (`_stedi/manifest.copy.json`). No build damages the
 * manifest (it renames a whole file into place), but a disk, a restore or a hand can: a server then goes on serving
 * the versions the copy names, the very ones it served, instead of failing every request until a rebuild.
 */
export const manifestCopyOf = (path: string): string => join(dirname(path), 'manifest.copy.json');

/**
 * The manifest, or when it is damaged (ManifestError: cut, emptied, a folder) and its copy is good, the copy with the
 * manifest's damage. Anything else (absent, unreadable for its permissions) is the manifest's own answer.
 */
export async function readLocalManifestOrCopy(path: string, lake?: string): Promise<{ manifest: LakeManifest | null; damage?: ManifestError }> {
  try {
    return { manifest: await readLocalManifest(path, lake) };
  } catch (damage) {
    if (!(damage instanceof ManifestError)) throw damage;
    const copy = await readLocalManifest(manifestCopyOf(path), lake).catch(() => null);
    if (copy === null) throw damage;
    return { manifest: copy, damage };
  }
}

/**
 * The manifest's good copy put back in its place (after the damaged one was set aside), so every reader of the lake,
 * the build's erasure check among them, sees the versions it names again; null when there is no good copy.
 */
export async function restoreManifestCopy(path: string, lake: string): Promise<LakeManifest | null> {
  const copy = manifestCopyOf(path);
  const manifest = await readLocalManifest(copy, lake).catch(() => null);
  if (manifest === null) return null;
  await replaceFile(path, temporaryBeside(path), await readFile(copy, 'utf8'));
  return manifest;
}

/** Moves a manifest that fails its schema aside (never deletes it); returns its new name. */
export async function setAsideManifest(path: string): Promise<string> {
  const aside = `${path}.broken-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside);
  return aside;
}

function relocated(v: VersionManifest, layout: LakeLayout): VersionManifest {
  const tables = { ...v.tables };
  let formerLake: string | undefined;
  for (const table of BUILT_TABLES) {
    const canonical = layout.recorded(layout.tableFile(table, v.version));
    const stored = tables[table].location;
    if (isAbsolute(stored) && stored.endsWith(canonical.split('/').join(sep))) formerLake = stored.slice(0, stored.length - canonical.length - 1);
    tables[table] = { ...tables[table], location: canonical };
  }
  const landing = recordedLanding(v.landing, formerLake);
  for (const source of SOURCES) {
    tables[landingTableOf(source)] = { ...tables[landingTableOf(source)], location: isAbsolute(landing) ? join(landing, source, 'landing') : posix.join(landing, source, 'landing') };
  }
  return { ...v, landing, tables, quarantine: layout.recorded(layout.quarantineDir(v.version)) };
}

/** A landing folder recorded absolutely inside the lake's former place becomes relative to the lake. */
function recordedLanding(landing: string, formerLake: string | undefined): string {
  if (!isAbsolute(landing) || formerLake === undefined) return landing;
  const inside = pathInside(formerLake, landing);
  if (inside === undefined) return landing;
  return inside === '' ? '.' : inside.split(sep).join('/');
}
