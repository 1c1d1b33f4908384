import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { KeysFileError, readKeysFile } from './keys-file';
import { ROLES, type Principal, type Role } from './principal';

/**
 * The API keys the server accepts. Keys are kept only as SHA-256 digests and
 * compared with `timingSafeEqual` against every known key (no early exit), so
 * neither the key nor its prefix leaks through response timing.
 */

export class ApiKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiKeyError';
  }
}

interface StoredKey {
  digest: Buffer;
  principal: Principal;
}

const digestOf = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/** Keys shorter than this are refused: a guessable key is no key. */
export const MIN_KEY_LENGTH = 16;

/** The keys as digests only, to hand to another server process (never the keys themselves). */
export type KeyDigests = Array<{ digest: string; principal: Principal }>;

export class ApiKeys {
  private readonly keys: StoredKey[];

  constructor(pairs: ReadonlyArray<{ key: string; role: Role }>) {
    this.keys = pairs.map(({ key, role }) => {
      const digest = digestOf(key);
      // A label for logs: a short digest prefix identifies the key without revealing it.
      return { digest, principal: { role, keyId: `${role}-${digest.toString('hex').slice(0, 8)}` } };
    });
  }

  static fromDigests(digests: KeyDigests): ApiKeys {
    const keys = new ApiKeys([]);
    keys.keys.push(...digests.map(({ digest, principal }) => ({ digest: Buffer.from(digest, 'hex'), principal })));
    return keys;
  }

  digests(): KeyDigests {
    return this.keys.map(({ digest, principal }) => ({ digest: digest.toString('hex'), principal }));
  }

  get size(): number {
    return this.keys.length;
  }

  /** The principal a presented key belongs to, or null for an unknown key. */
  authenticate(presented: string): Principal | null {
    const digest = digestOf(presented);
    let found: Principal | null = null;
    for (const stored of this.keys) {
      if (timingSafeEqual(stored.digest, digest) && found === null) found = stored.principal;
    }
    return found;
  }
}

/**
 * Parses `key:role` pairs separated by commas or new lines; blank entries and
 * lines starting with `#` are ignored. `where` names the source in errors (never the key).
 */
export function parseApiKeys(text: string, where: string): Array<{ key: string; role: Role }> {
  const entries = text
    .split(/[\n,]/)
    .map((e) => e.trim())
    .filter((e) => e !== '' && !e.startsWith('#'));
  return entries.map((entry, index) => {
    const colon = entry.lastIndexOf(':');
    const key = colon < 0 ? '' : entry.slice(0, colon).trim();
    const role = colon < 0 ? '' : entry.slice(colon + 1).trim();
    if (!key || !role) throw new ApiKeyError(`${where}: entry ${index + 1} is not a key:role pair (roles: ${ROLES.join(', ')})`);
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ApiKeyError(`${where}: entry ${index + 1} has the role ${JSON.stringify(role)}; use one of ${ROLES.join(', ')}`);
    }
    if (key.length < MIN_KEY_LENGTH) throw new ApiKeyError(`${where}: the key of entry ${index + 1} is shorter than ${MIN_KEY_LENGTH} characters`);
    return { key, role: role as Role };
  });
}

/** The keys from STEDI_API_KEYS and the keys file (config.apiKeysFile), together; a pipe as the file is waited for `waitMs` at most. */
export async function loadApiKeys(settings: { apiKeys: string; apiKeysFile?: string }, waitMs?: number): Promise<ApiKeys> {
  const sources = [{ where: 'STEDI_API_KEYS', pairs: parseApiKeys(settings.apiKeys, 'STEDI_API_KEYS') }];
  if (settings.apiKeysFile) {
    let text: string;
    try {
      text = await readKeysFile(settings.apiKeysFile, waitMs);
    } catch (error) {
      if (error instanceof KeysFileError) throw new ApiKeyError(error.message);
      throw new ApiKeyError(`cannot read the API keys file ${settings.apiKeysFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    sources.push({ where: settings.apiKeysFile, pairs: parseApiKeys(text, settings.apiKeysFile) });
  }
  // One key with two roles got the first silently: a key "downgraded" by adding key:analyst stayed admin.
  const seen = new Map<string, { role: Role; at: string }>();
  for (const { where, pairs } of sources) {
    pairs.forEach(({ key, role }, index) => {
      const at = `${where} entry ${index + 1}`;
      const first = seen.get(key);
      if (first && first.role !== role) throw new ApiKeyError(`one key is given the role ${first.role} (${first.at}) and the role ${role} (${at}); give each key one role`);
      if (!first) seen.set(key, { role, at });
    });
  }
  return new ApiKeys(sources.flatMap((source) => source.pairs));
}

/**
 * A fresh random key, URL-safe, 192 bits. It never starts with `-` or `_`, so
 * a command line never mistakes it for an option (`--key -abc…`).
 */
export function newApiKey(): string {
  for (;;) {
    const key = randomBytes(24).toString('base64url');
    if (/^[A-Za-z0-9]/.test(key)) return key;
  }
}
