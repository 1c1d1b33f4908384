import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/landing-fixture';
import { runBin, spawnBin } from '../helpers/spawn-cli';

/**
 * A `bin/stedi.js generate` stopped part way (Ctrl+C, a kill, kill -9) leaves
 * the landing folders as they were: a partial sample where a build reads
 * landing would be built as if it were whole.
 */

const SOURCES = ['customer', 'accelerometer', 'step_trainer'] as const;
const landingOf = (out: string): Record<string, Record<string, string>> =>
  Object.fromEntries(
    SOURCES.map((s) => {
      const dir = join(out, s, 'landing');
      return [s, Object.fromEntries((existsSync(dir) ? readdirSync(dir) : []).map((f) => [f, readFileSync(join(dir, f), 'utf8')]))];
    }),
  );
const staged = (out: string): string[] => readdirSync(out).filter((f) => f.startsWith('.stedi-generate-'));
// A staging folder appears a moment before its source folders: one not made yet holds nothing.
const stagedBytes = (out: string): number =>
  staged(out).reduce((sum, dir) => {
    const folder = join(out, dir, 'accelerometer');
    return sum + (existsSync(folder) ? readdirSync(folder).reduce((n, f) => n + readFileSync(join(folder, f)).length, 0) : 0);
  }, 0);

/** Starts a generate of ~30 s (2.3 GB: it must fit the disk's free space) and waits until it has staged some of its lines. */
async function generateUnderway(out: string, ...flags: string[]) {
  const run = spawnBin(['generate', '--out', out, '--customers', '200000', '--lines-per-file', '20000', ...flags]);
  let finished = false;
  void run.exited.then(() => (finished = true));
  while (!finished && (staged(out).length === 0 || stagedBytes(out) < 4_000_000)) await new Promise((r) => setTimeout(r, 20));
  expect(finished).toBe(false);
  return run;
}

describe('stedi generate stopped part way', () => {
  jest.setTimeout(120_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('on %s says so in one line, exits %i, and leaves the files a --force run would replace', async (signal, code) => {
    const out = makeTempDir('stedi-gen-stop-');
    expect((await runBin(['generate', '--out', out, '--customers', '3'])).code).toBe(0);
    const before = landingOf(out);
    const run = await generateUnderway(out, '--force');
    run.child.kill(signal);
    expect(await run.exited).toBe(code);
    expect(run.stderr()).toBe(`stedi: generate interrupted (${signal}); nothing was written to the landing folders\n`);
    expect(landingOf(out)).toEqual(before);
    expect(staged(out)).toEqual([]);
  });

  it('by kill -9 leaves no landing file, and the next generate removes what it staged', async () => {
    const out = makeTempDir('stedi-gen-kill-');
    const run = await generateUnderway(out);
    run.child.kill('SIGKILL');
    await run.exited;
    expect(landingOf(out)).toEqual({ customer: {}, accelerometer: {}, step_trainer: {} });
    expect(staged(out)).toHaveLength(1);

    const next = await runBin(['generate', '--out', out, '--customers', '2', '--json']);
    expect(next.code).toBe(0);
    expect(staged(out)).toEqual([]);
    const files = JSON.parse(next.stdout).files as Record<string, string[]>;
    for (const source of SOURCES) expect(files[source]).toEqual([join(out, source, 'landing', `${source}-0001.json`)]);
    expect(readFileSync(files.customer[0], 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
