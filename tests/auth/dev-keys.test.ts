import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ApiKeyError, newApiKey } from '../../src/auth/api-keys';
import { devKeysFile, loadOrCreateDevKeys } from '../../src/auth/dev-keys';
import { boxed } from '../../src/auth/session-keys';
import { makeTempDir } from '../helpers/landing-fixture';

const thrownBy = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('nothing was thrown');
};

describe('development keys kept in the lake folder', () => {
  it('are made once, written owner-only, and reused by the next start', () => {
    const lake = makeTempDir('stedi-dev-keys-');
    const first = loadOrCreateDevKeys(lake);
    expect(first.created).toBe(true);
    expect(first.file).toBe(devKeysFile(lake));
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    expect(readFileSync(first.file!, 'utf8')).toContain(`${first.keys.admin}:admin`);
    const second = loadOrCreateDevKeys(lake);
    expect(second.created).toBe(false);
    expect(second.keys).toEqual(first.keys);
  });

  it('tightens a kept file that was left readable by others', () => {
    const lake = makeTempDir('stedi-dev-keys-');
    const file = loadOrCreateDevKeys(lake).file!;
    chmodSync(file, 0o644);
    loadOrCreateDevKeys(lake);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('last for this process only, with a note saying why, when the lake folder cannot hold them', () => {
    const file = join(makeTempDir('stedi-dev-keys-'), 'not-a-folder');
    writeFileSync(file, 'x');
    const kept = loadOrCreateDevKeys(join(file, 'lake'));
    expect(kept.file).toBeUndefined();
    expect(kept.keys.admin).not.toBe(kept.keys.analyst);
    expect(kept.note).toBe(`development keys cannot be kept in ${devKeysFile(join(file, 'lake'))} (ENOTDIR): they last as long as this server`);
  });

  it('refuses a kept file without both roles, saying how to get new keys', () => {
    const lake = makeTempDir('stedi-dev-keys-');
    mkdirSync(dirname(devKeysFile(lake)), { recursive: true });
    writeFileSync(devKeysFile(lake), `${newApiKey()}:admin\n`, { mode: 0o600 });
    expect(() => loadOrCreateDevKeys(lake)).toThrow(/one admin and one analyst key; delete it/);
  });

  it('keep the error a kept file could not be read or parsed for as the cause of theirs', () => {
    const unreadable = makeTempDir('stedi-dev-keys-');
    mkdirSync(devKeysFile(unreadable), { recursive: true });
    expect(thrownBy(() => loadOrCreateDevKeys(unreadable))).toMatchObject({ message: expect.stringMatching(/\(EISDIR\)/), cause: expect.objectContaining({ code: 'EISDIR' }) });
    const garbled = makeTempDir('stedi-dev-keys-');
    mkdirSync(dirname(devKeysFile(garbled)), { recursive: true });
    writeFileSync(devKeysFile(garbled), 'no role here\n', { mode: 0o600 });
    const error = thrownBy(() => loadOrCreateDevKeys(garbled));
    expect(error.message).toMatch(/; delete it and npm start makes new ones$/);
    expect(error.cause).toBeInstanceOf(ApiKeyError);
    expect(error.message.startsWith((error.cause as Error).message)).toBe(true);
  });
});

describe('new API keys', () => {
  it('never start with a dash or underscore, so no command line reads one as an option', () => {
    for (let i = 0; i < 2_000; i += 1) expect(newApiKey()).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{31}$/);
  });
});

describe('the key box', () => {
  it('frames every line at one width', () => {
    const lines = boxed(['a', 'longer line']).split('\n');
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[1]).toBe('│ a           │');
  });
});
