import { type FSWatcher, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, watch } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/landing-fixture';
import { runBin, spawnBin } from '../helpers/spawn-cli';

/**
 * A generate killed outright while it moves its finished files into the landing folders (the one step that
 * changes them): the files were moved one by one, so the new sample's customers sat beside the old sample's
 * readings, a build built that mix, and a rerun without --force refused the files already moved.
 */

const SOURCES = ['customer', 'accelerometer', 'step_trainer'] as const;
// One line a file: about 2,500 moves, so a kill at the first one into accelerometer/landing lands mid-way.
const SAMPLE = ['--customers', '20', '--lines-per-file', '1'];

const landingOf = (out: string): Record<string, Record<string, string>> =>
  Object.fromEntries(
    SOURCES.map((s) => {
      const dir = join(out, s, 'landing');
      return [s, Object.fromEntries((existsSync(dir) ? readdirSync(dir) : []).map((f) => [f, readFileSync(join(dir, f), 'utf8')]))];
    }),
  );

/** Runs `stedi <args>` and kills it with SIGKILL at the first file that appears in `<out>/accelerometer/landing`. */
async function killWhileMoving(out: string, args: string[]): Promise<void> {
  const watched = join(out, 'accelerometer', 'landing');
  mkdirSync(watched, { recursive: true });
  const run = spawnBin(args);
  let watcher: FSWatcher | undefined;
  watcher = watch(watched, () => {
    run.child.kill('SIGKILL');
    watcher?.close();
    watcher = undefined;
  });
  const code = await run.exited;
  watcher?.close();
  expect(run.child.signalCode).toBe('SIGKILL');
  expect(code).toBeNull();
}

/** A sample killed part way through its move: the two samples' files side by side. */
function expectHalfMoved(out: string, complete: Record<string, Record<string, string>>): void {
  const now = landingOf(out);
  expect(now.customer).toEqual(complete.customer);
  expect(now.accelerometer).not.toEqual(complete.accelerometer);
}

describe('stedi generate killed while moving its files into the landing folders', () => {
  jest.setTimeout(180_000);

  it('with --force: a build refuses the half-replaced landing in one line, and the same generate run again ends with the whole new sample', async () => {
    const reference = makeTempDir('stedi-gen-moving-ref-');
    expect((await runBin(['generate', '--out', reference, ...SAMPLE, '--seed', 'new'])).code).toBe(0);
    const complete = landingOf(reference);
    const out = makeTempDir('stedi-gen-moving-');
    expect((await runBin(['generate', '--out', out, ...SAMPLE, '--seed', 'old'])).code).toBe(0);

    await killWhileMoving(out, ['generate', '--out', out, ...SAMPLE, '--seed', 'new', '--force']);
    expectHalfMoved(out, complete);

    const build = await runBin(['build', '--landing', out, '--lake', join(makeTempDir('stedi-gen-moving-lake-'), 'lake')]);
    expect(build.code).toBe(1);
    expect(build.stderr).toMatch(new RegExp(`^stedi: landing folder ${out} holds part of a sample: a stedi generate \\(pid \\d+\\) was killed while moving it in; run that stedi generate \\(or stedi start\\) again, which first finishes or undoes the move, then build\\n$`));

    const again = await runBin(['generate', '--out', out, ...SAMPLE, '--seed', 'new', '--force']);
    expect(again.code).toBe(0);
    expect(landingOf(out)).toEqual(complete);
    expect(readdirSync(out).filter((f) => f.startsWith('.stedi-generate-'))).toEqual([]);
  });

  it('without --force: the same generate run again writes the sample instead of refusing the files already moved', async () => {
    const reference = makeTempDir('stedi-gen-moving-ref-');
    expect((await runBin(['generate', '--out', reference, ...SAMPLE])).code).toBe(0);
    const out = makeTempDir('stedi-gen-moving-');

    await killWhileMoving(out, ['generate', '--out', out, ...SAMPLE]);
    expectHalfMoved(out, landingOf(reference));

    const again = await runBin(['generate', '--out', out, ...SAMPLE]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(landingOf(out)).toEqual(landingOf(reference));
  });

  it('stedi start on a lake whose landing a killed generate half filled undoes that move, then generates its sample, builds and serves', async () => {
    const lake = makeTempDir('stedi-gen-moving-lake-');
    // The lake is its own landing folder, as for npm start.
    await killWhileMoving(lake, ['generate', '--out', lake, ...SAMPLE]);
    const start = spawnBin(['start', '--lake', lake, '--port', '0'], { HOST: '127.0.0.1', LOG_LEVEL: 'warn', STEDI_WORKERS: '1' });
    try {
      await start.waitFor(/Serving \S+ at http:\/\/127\.0\.0\.1:\d+\/graphql/, 120_000);
      expect(start.stdout()).toContain(`No landing data in ${lake}: generating a sample`);
    } finally {
      start.child.kill('SIGTERM');
      await start.exited;
    }
    expect(readdirSync(lake).filter((f) => f.startsWith('.stedi-generate-'))).toEqual([]);
    // The sample start generates (one file a source), not the killed run's files.
    for (const source of SOURCES) expect(Object.keys(landingOf(lake)[source])).toEqual([`${source}-0001.json`]);
  });

  it('a run whose pid another process has since (a restarted container\'s next run) is still known dead: the next generate finishes its undoing', async () => {
    const reference = makeTempDir('stedi-gen-moving-ref-');
    expect((await runBin(['generate', '--out', reference, ...SAMPLE])).code).toBe(0);
    const out = makeTempDir('stedi-gen-moving-');
    await killWhileMoving(out, ['generate', '--out', out, ...SAMPLE]);
    // The killed run's pid, as if the kernel gave it to a live process (this one): a pid namespace starts at 1 each run.
    const [left] = readdirSync(out).filter((f) => f.startsWith('.stedi-generate-'));
    renameSync(join(out, left!), join(out, left!.replace(/^\.stedi-generate-\d+/, `.stedi-generate-${process.pid}`)));

    const build = await runBin(['build', '--landing', out, '--lake', join(makeTempDir('stedi-gen-moving-lake-'), 'lake')]);
    expect(build.stderr).toMatch(/was killed while moving it in/);
    const again = await runBin(['generate', '--out', out, ...SAMPLE]);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(landingOf(out)).toEqual(landingOf(reference));
    expect(readdirSync(out).filter((f) => f.startsWith('.stedi-generate-'))).toEqual([]);
  });

  it("builds a landing holding a pipe by a plan's name, instead of waiting for ever on it", async () => {
    const landing = makeTempDir('stedi-gen-moving-');
    expect((await runBin(['generate', '--out', landing, '--customers', '5'])).code).toBe(0);
    mkdirSync(join(landing, '.stedi-generate-999999999-1'));
    execFileSync('mkfifo', [join(landing, '.stedi-generate-999999999-1', 'publishing.json')]);
    const build = spawnBin(['build', '--landing', landing, '--lake', join(makeTempDir('stedi-gen-moving-lake-'), 'lake'), '--json']);
    const timer = setTimeout(() => build.child.kill('SIGKILL'), 40_000);
    const code = await build.exited;
    clearTimeout(timer);
    expect({ code, stderr: build.stderr() }).toEqual({ code: 0, stderr: '' });
  });
});
