import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pairs = parseApiKeys(text, file);
  const admin = pairs.find((p) => p.role === 'admin')?.key;
  const analyst = pairs.find((p) => p.role === 'analyst')?.key;
  if (!admin || !analyst) throw new ApiKeyError(`${file} must hold one admin and one analyst key; delete it and npm start makes new ones`);
  return sessionKeys(admin, analyst);
}

/** The kept keys of a local lake folder, made and saved on first use. */
export function loadOrCreateDevKeys(lake: string): { keys: SessionKeys; file: string; created: boolean } {
  const file = devKeysFile(lake);
  const existing = readKeys(file);
  if (existing) {
    // Someone may have copied the file with looser permissions; keys are secrets.
    chmodSync(file, 0o600);
    return { keys: existing, file, created: false };
  }
  const keys = generateSessionKeys();
  mkdirSync(dirname(file), { recursive: true });
  const text = `# Development API keys made by \`npm start\`; delete this file for new ones.\n${keys.admin}:admin\n${keys.analyst}:analyst\n`;
  try {
    // 'wx': never overwrite keys another process wrote a moment ago; use those instead.
    writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const raced = (error as NodeJS.ErrnoException).code === 'EEXIST' && readKeys(file);
    if (raced) return { keys: raced, file, created: false };
    throw error;
  }
  return { keys, file, created: true };
}
