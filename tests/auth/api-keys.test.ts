import { timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKeyError, ApiKeys, loadApiKeys, MIN_KEY_LENGTH, newApiKey, parseApiKeys } from '../../src/auth/api-keys';
import { bearerToken } from '../../src/auth/bearer';
import { formatSessionKeys, generateSessionKeys } from '../../src/auth/session-keys';
import { makeTempDir } from '../helpers/landing-fixture';

// Wrap the real comparison so a test can see it is the one used.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});
const compare = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;

const ADMIN = 'admin-key-0123456789abcdef';
const ANALYST = 'analyst-key-0123456789abcdef';

describe('API keys', () => {
  it('reads comma-separated key:role pairs and maps each key to its role', () => {
    const keys = new ApiKeys(parseApiKeys(`${ADMIN}:admin, ${ANALYST}:analyst`, 'STEDI_API_KEYS'));
    expect(keys.authenticate(ADMIN)?.role).toBe('admin');
    expect(keys.authenticate(ANALYST)?.role).toBe('analyst');
    expect(keys.authenticate('not-a-key-0123456789')).toBeNull();
    expect(keys.authenticate(ADMIN.slice(0, -1))).toBeNull();
  });

  it('labels a principal without revealing its key', () => {
    const principal = new ApiKeys([{ key: ADMIN, role: 'admin' }]).authenticate(ADMIN)!;
    expect(principal.keyId).toMatch(/^admin-[0-9a-f]{8}$/);
    expect(principal.keyId).not.toContain(ADMIN.slice(0, 8));
  });

  it('compares every known key in constant time over SHA-256 digests', () => {
    const keys = new ApiKeys([
      { key: ADMIN, role: 'admin' },
      { key: ANALYST, role: 'analyst' },
    ]);
    compare.mockClear();
    expect(keys.authenticate(ADMIN)?.role).toBe('admin');
    // No early exit on a match: the second key is compared too.
    expect(compare).toHaveBeenCalledTimes(2);
    for (const [a, b] of compare.mock.calls) {
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });

  it('reads a keys file with one pair per line and # comments, together with STEDI_API_KEYS', async () => {
    const file = join(makeTempDir(), 'keys');
    writeFileSync(file, `# team keys\n${ANALYST}:analyst\n\n`);
    const keys = await loadApiKeys({ apiKeys: `${ADMIN}:admin`, apiKeysFile: file });
    expect(keys.size).toBe(2);
    expect(keys.authenticate(ANALYST)?.role).toBe('analyst');
  });

  it.each([
    ['a pair without a role', 'abcdefghijklmnopqrstuvwxyz', /not a key:role pair/],
    ['an unknown role', `${ADMIN}:root`, /role "root"; use one of analyst, admin/],
    ['a short key', 'k9x7:admin', new RegExp(`shorter than ${MIN_KEY_LENGTH}`)],
  ])('refuses %s with a message that never shows the key', (_case, text, message) => {
    expect(() => parseApiKeys(text, 'STEDI_API_KEYS')).toThrow(message);
    try {
      parseApiKeys(text, 'STEDI_API_KEYS');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiKeyError);
      expect((error as Error).message).not.toContain(text.split(':')[0]);
    }
  });

  it('names a keys file it cannot read', async () => {
    await expect(loadApiKeys({ apiKeys: '', apiKeysFile: '/nonexistent/keys' })).rejects.toThrow(/cannot read the API keys file \/nonexistent\/keys \(ENOENT\)/);
  });

  it('makes new keys that are random and long enough', () => {
    const a = newApiKey();
    expect(a.length).toBeGreaterThanOrEqual(MIN_KEY_LENGTH);
    expect(newApiKey()).not.toBe(a);
  });
});

describe('bearer header parsing', () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    [undefined, null],
    ['', null],
    ['Basic abc', null],
    ['Bearer', null],
    ['Bearer a b', null],
  ])('reads %p as %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

describe('session keys', () => {
  it('makes an admin and an analyst key and a curl line that uses one', () => {
    const keys = generateSessionKeys();
    const parsed = new ApiKeys(parseApiKeys(keys.setting, 'session'));
    expect(parsed.authenticate(keys.admin)?.role).toBe('admin');
    expect(parsed.authenticate(keys.analyst)?.role).toBe('analyst');
    const text = formatSessionKeys(keys, 'http://localhost:4000');
    expect(text).toContain(keys.admin);
    expect(text).toMatch(new RegExp(`curl -s http://localhost:4000/graphql -H "authorization: Bearer ${keys.analyst}"`));
  });
});
