import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { runBin } from '../helpers/bin-cli';
import { serveLake, untilReady } from '../helpers/served-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A landing file may be a link to a file elsewhere inside the landing folder: it is read like any other, and
 * so is a --landing that is itself a link. A link out of the landing folder (a file or a zone folder) stops the
 * build with one line naming it and where it leads: whoever drops files into landing must not have the build copy
 * any file this user can read into the lake. Anything else by a data file's name (a link to nothing, a folder)
 * stops the build with one line naming it, never skipped without a word.
 */

/** The files under `dir` (gzipped ones read unzipped) whose bytes hold `text`. */
const filesHolding = (dir: string, text: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .filter((path) => {
      const bytes = readFileSync(path);
      return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).includes(text);
    });

const build = (landing: string, lake: string) => runBin(['build', '--landing', landing, '--lake', lake, '--json']);
const rowsOf = (stdout: string, table: string): number => JSON.parse(stdout).tables[table].rows;

/** A file outside any landing folder, as a secret of the user the build runs as would be. */
const secretElsewhere = (): string => {
  const path = join(makeTempDir('stedi-secret-'), 'credentials.json');
  writeFileSync(path, '{"aws_secret_access_key":"not-landing-data"}\n');
  return path;
};

describe('landing entries that are links', () => {
  it('reads a landing file that is a link to a file elsewhere inside the landing folder, as if it were there', () => {
    const landing = writeSmallLanding();
    const plain = build(landing, makeTempDir());
    expect(plain.status).toBe(0);
    const elsewhere = join(landing, 'archive');
    mkdirSync(elsewhere);
    const file = join(landing, 'accelerometer', 'landing', 'accelerometer-1.json');
    renameSync(file, join(elsewhere, 'readings.json'));
    symlinkSync(join('..', '..', 'archive', 'readings.json'), file);
    const linked = build(landing, makeTempDir());
    expect(linked.stderr).toBe('');
    expect(linked.status).toBe(0);
    expect(rowsOf(linked.stdout, 'accelerometer_landing')).toBe(rowsOf(plain.stdout, 'accelerometer_landing'));
    expect(rowsOf(linked.stdout, 'accelerometer_trusted')).toBe(rowsOf(plain.stdout, 'accelerometer_trusted'));
  });

  it('builds from a --landing that is itself a link, which the operator named', () => {
    const landing = writeSmallLanding();
    const link = join(makeTempDir(), 'landing');
    symlinkSync(landing, link);
    const result = build(link, makeTempDir());
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(rowsOf(result.stdout, 'customer_landing')).toBe(3);
  });

  it('stops the build with one line naming a landing file linked out of the landing folder and where it leads, and copies none of it into the lake', () => {
    const landing = writeSmallLanding();
    const secret = secretElsewhere();
    symlinkSync(secret, join(landing, 'customer', 'landing', 'customer-2.json'));
    const lake = makeTempDir();
    const result = build(landing, lake);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`stedi: landing folder ${join(landing, 'customer', 'landing')} holds customer-2.json, a link to ${secret} outside the landing folder ${landing}: a build reads only files inside it; if it is landing data, copy it in, or point --landing at the folder that holds it\n`);
    expect(existsSync(join(lake, '_stedi', 'manifest.json'))).toBe(false);
    expect(filesHolding(lake, 'not-landing-data')).toEqual([]);
  });

  it('stops the build with one line naming a zone folder linked out of the landing folder', () => {
    const landing = writeSmallLanding();
    const outside = join(makeTempDir(), 'step-trainer-landing');
    renameSync(join(landing, 'step_trainer', 'landing'), outside);
    symlinkSync(outside, join(landing, 'step_trainer', 'landing'));
    const lake = makeTempDir();
    const result = build(landing, lake);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`stedi: landing folder ${join(landing, 'step_trainer', 'landing')} is a link to ${outside}, outside the landing folder ${landing}: a build reads only what is inside it; move the data in, or point --landing at the folder that holds it\n`);
    expect(existsSync(join(lake, '_stedi', 'manifest.json'))).toBe(false);
  });
});

describe('landing entries that are not plain files', () => {
  it.each([
    ['a link whose target is missing', (path: string) => symlinkSync(join(makeTempDir(), 'gone.json'), path), /a link whose target is missing/],
    ['a folder', (path: string) => mkdirSync(path), /a folder/],
  ])('stops the build with one line naming %s, and publishes nothing', (_what, make, kind) => {
    const landing = writeSmallLanding();
    make(join(landing, 'customer', 'landing', 'customer-2.json'));
    const lake = makeTempDir();
    const result = build(landing, lake);
    expect(result.status).not.toBe(0);
    expect(existsSync(join(lake, '_stedi', 'manifest.json'))).toBe(false);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(new RegExp(`holds customer-2\\.json, which is ${kind.source}, not a file of JSON lines`));
  });

  it.each([
    ['a compressed file', 'customer-3.json.gz', 'customer-3.json.gz'],
    ['a partition folder', '2026', '2026/'],
    ['a file of another kind', 'notes.txt', 'notes.txt'],
  ])('stops the build with one line naming %s in a landing folder, which it would not read, and publishes nothing', (_what, name, named) => {
    const landing = writeSmallLanding();
    const path = join(landing, 'customer', 'landing', name);
    if (name === '2026') mkdirSync(join(path, '12'), { recursive: true });
    else writeFileSync(path, 'x');
    const lake = makeTempDir();
    const result = build(landing, lake);
    expect(result.status).not.toBe(0);
    expect(existsSync(join(lake, '_stedi', 'manifest.json'))).toBe(false);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`holds ${named}, which a build would not read`);
  });

  it('names an entry whose name holds control characters without sending them to the terminal', () => {
    const landing = writeSmallLanding();
    // A name can carry a terminal's escape sequence (here: clear the screen, then red text).
    writeFileSync(join(landing, 'customer', 'landing', 'notes\x1b[2J\x1b[31m.txt'), 'x');
    const result = build(landing, makeTempDir());
    expect(result.status).not.toBe(0);
    expect(result.stderr).not.toContain('\x1b');
    expect(result.stderr).toContain('holds notes\\x1b[2J\\x1b[31m.txt, which a build would not read');
  });

  it('builds beside hidden entries, which no engine reads (.DS_Store, _SUCCESS)', () => {
    const landing = writeSmallLanding();
    writeFileSync(join(landing, 'customer', 'landing', '.DS_Store'), 'x');
    writeFileSync(join(landing, 'customer', 'landing', '_SUCCESS'), '');
    const result = build(landing, makeTempDir());
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('a served lake whose customer landing gains a link out of the landing folder', () => {
  it('answers CONSENT_UNAVAILABLE and /readyz 503 saying so, logs the link, and serves again once it is gone', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    expect(build(landing, lake).status).toBe(0);
    const served = await serveLake(['--lake', lake, '--landing', landing], { STEDI_WORKERS: '1', STEDI_CONSENT_REFRESH_MS: '100' });
    try {
      await untilReady(served);
      const link = join(landing, 'customer', 'landing', 'customer-2.json');
      symlinkSync(secretElsewhere(), link);
      let ready = await served.readyz();
      for (let polls = 0; polls < 200 && ready.status === 200; polls += 1) ready = await new Promise((r) => setTimeout(r, 50)).then(() => served.readyz());
      expect(ready).toEqual({ status: 503, body: expect.objectContaining({ reason: `consent registry stale: landing folder ${join(landing, 'customer', 'landing')} holds a link out of the landing folder (the server log names it): copy its file in, or remove the link` }) });
      const answer = await served.graphql('{ customer(serialNumber: "serial-alice") { serialNumber } }');
      expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['CONSENT_UNAVAILABLE']);
      expect(served.process.stdout()).toContain('holds customer-2.json, a link to ');
      expect(served.process.stdout()).not.toContain('not-landing-data');
      rmSync(link);
      await untilReady(served);
      expect((await served.graphql('{ customer(serialNumber: "serial-alice") { serialNumber } }')).data).toEqual({ customer: { serialNumber: 'serial-alice' } });
    } finally {
      await served.stop();
    }
  });
});
