import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { makeFolderSync } from '../../etl/make-folder';
import { readRegularFileSync } from '../../etl/engine/duckdb/regular-file';
import { hardLinksRefused } from '../../etl/engine/duckdb/hard-links';
import { ApiKeyError, parseApiKeys } from './api-keys';
import { generateSessionKeys, sessionKeys, type SessionKeys } from './session-keys';

/**
 * Development keys that last: `npm start` without configured keys keeps the
 * keys it made in `<lake>/_stedi/dev-keys` (owner-only, mode 0600) and reuses
 * them, so a key saved in the IDE or in STEDI_API_KEY keeps working.
 */

export const devKeysFile = (lake: string): string => join(lake, '_stedi', 'dev-keys');

function readKeys(file: string): SessionKeys | undefined {
  let text: string;
  try {
    // Only a regular file: a pipe in its place blocked `stedi start` for ever, waiting for a writer.
    text = readRegularFileSync(file);
  } catch (error) {
    // None there: ENOTDIR when the lake path runs through a file (said by the engine when it opens the lake).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    // Another user's file (mode 0600), or a folder or pipe in its place: Node's words named neither the fix nor, for a folder, the file.
    throw new ApiKeyError(`cannot read the development keys file ${file} (${code ?? 'error'}); delete it and npm start makes new ones, run as the user who made it, or set STEDI_API_KEYS`, { cause: error });
  }
  let pairs;
  try {
    pairs = parseApiKeys(text, file);
  } catch (error) {
    if (!(error instanceof ApiKeyError)) throw error;
    throw new ApiKeyError(`${error.message}; delete it and npm start makes new ones`, { cause: error });
  }
  const admin = pairs.find((p) => p.role === 'admin')?.key;
  const analyst = pairs.find((p) => p.role === 'analyst')?.key;
  if (!admin || !analyst) throw new ApiKeyError(`${file} must hold one admin and one analyst key; delete it and npm start makes new ones`);
  return sessionKeys(admin, analyst);
}

/** Keys from the kept file or made now; `file` is where they are kept, absent when they could not be (`note` says why). */
export interface DevKeys {
  keys: SessionKeys;
  file?: string;
  created: boolean;
  /** Why the keys are not kept (a read-only or full lake folder), or the kept file could not be made owner-only. */
  note?: string;
}

/** The kept keys of a local lake folder, made and saved on first use; for this process only when the folder cannot hold them. */
export function loadOrCreateDevKeys(lake: string): DevKeys {
  const file = devKeysFile(lake);
  const existing = readKeys(file);
  if (existing) {
    // Someone may have copied the file with looser permissions; keys are secrets. A read-only lake cannot be fixed from here.
    if ((statSync(file).mode & 0o077) === 0) return { keys: existing, file, created: false };
    try {
      chmodSync(file, 0o600);
      return { keys: existing, file, created: false };
    } catch (error) {
      return { keys: existing, file, created: false, note: `${file} could not be made owner-only (${codeOf(error)}): anyone who can read it has these keys` };
    }
  }
  const keys = generateSessionKeys();
  const text = `# Development API keys made by \`npm start\`; delete this file for new ones.\n${keys.admin}:admin\n${keys.analyst}:analyst\n`;
  // Written whole under another name, then linked into place (which fails if another process got there first: use its keys).
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    makeFolderSync(dirname(file));
    writeFileSync(temporary, text, { mode: 0o600, flush: true });
    try {
      linkSync(temporary, file);
    } catch (error) {
      // A lake on exFAT or FAT links nothing: made in place, only if it is not there (else each start made new keys, kept by none).
      if (!hardLinksRefused(error)) throw error;
      writeFileSync(file, text, { mode: 0o600, flag: 'wx', flush: true });
    }
  } catch (error) {
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' && readKeys(file);
    if (raced) return { keys: raced, file, created: false };
    // A read-only, full or foreign lake folder still serves: the keys last as long as this process.
    if (typeof (error as NodeJS.ErrnoException).code === 'string') return { keys, created: true, note: `development keys cannot be kept in ${file} (${codeOf(error)}): they last as long as this server` };
    throw error;
  } finally {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Its folder could not be made (a file in the way): nothing was written.
    }
  }
  return { keys, file, created: true };
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? 'error';
