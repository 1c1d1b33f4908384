import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildLake, manifestOf } from '../helpers/etl-lake';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { ANALYST_KEY } from '../helpers/http-app';
import { serveLake } from '../helpers/served-lake';
import { spawnBin } from '../helpers/spawn-cli';

/** A pipe put where the lake keeps a small state file: status and the next build read past it, never wait on it. */

/** Runs `stedi <args>`, killing it after `ms`: a command that waits for ever shows as code null, not as a test timeout. */
async function runWithin(args: string[], ms: number, env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string }> {
  const run = spawnBin(args, env);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stderr: run.stderr() };
}

describe('a pipe in place of a lake state file', () => {
  jest.setTimeout(60_000);

  it.each([['_stedi/build.lock'], ['_stedi/builds/20261206t070000000z_abcd.json']])(
    'in %s: status answers and the next build publishes, removing it, instead of both waiting for ever on the read',
    async (entry) => {
      const landing = writeSmallLanding();
      const lake = makeTempDir('stedi-pipe-state-');
      const live = await buildLake(landing, lake);
      execFileSync('mkdir', ['-p', join(lake, '_stedi', 'builds')]);
      execFileSync('mkfifo', [join(lake, entry)]);
      // Both read the file with readFile, which blocks on a pipe until a writer comes: they never ended.
      const status = await runWithin(['status', '--lake', lake], 15_000);
      expect(status).toEqual({ code: 0, stderr: '' });
      const build = await runWithin(['build', '--lake', lake, '--landing', landing], 20_000);
      expect(build).toEqual({ code: 0, stderr: '' });
      const versions = (await manifestOf(lake))?.versions.map((v) => v.version) ?? [];
      expect(versions).toHaveLength(2);
      expect(versions[1]).toBe(live.version);
      expect(readdirSync(join(lake, '_stedi')).sort()).toEqual(['manifest.copy.json', 'manifest.json']);
    },
  );

  it("in the live version's table file: status names it damaged in one line and exits 1, instead of waiting for ever on its footer", async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-pipe-state-');
    const live = await buildLake(landing, lake);
    const file = join(lake, live.tables.customer_trusted.location);
    rmSync(file);
    execFileSync('mkfifo', [file]);
    // A damaged live version's counts come from its footers: DuckDB opened the pipe and waited for a writer.
    const run = spawnBin(['status', '--lake', lake]);
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 20_000);
    const code = await run.exited;
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(run.stdout().split('\n').filter((l) => l.includes('DAMAGED'))).toEqual([
      `DAMAGED live version ${live.version}: ${live.tables.customer_trusted.location} is a pipe, socket or device, not the file the build wrote; run \`stedi build\` to build a new live version`,
    ]);
  });

  // A lake whose server wrote the batch column text (in the background, after the first batch page), and that page's
  // answer: made once, each case below pipes one of its files in a cp -r copy.
  const batch = '{ machineLearningBatch(first: 5) { rowCount } }';
  let columnText: Promise<{ lake: string; answer: unknown }> | undefined;
  const columnTextLake = (): Promise<{ lake: string; answer: unknown }> =>
    (columnText ??= (async () => {
      const lake = makeTempDir('stedi-pipe-state-');
      const live = await buildLake(writeSmallLanding(), lake);
      const written = (suffix: string): boolean => existsSync(join(lake, live.tables.machine_learning_curated.location.replace(/\.parquet$/, `.${suffix}`)));
      const served = await serveLake(['--lake', lake]);
      let answer: unknown;
      try {
        for (let i = 0; i < 100 && !['batch.json', 'batch.crc', 'batch.0'].every(written); i += 1) {
          answer = await served.graphql(batch);
          expect(answer).toEqual({ data: { machineLearningBatch: { rowCount: expect.any(Number) } } });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(['batch.json', 'batch.crc', 'batch.0'].filter((suffix) => !written(suffix))).toEqual([]);
      } finally {
        await served.stop();
      }
      return { lake, answer };
    })());

  it.each([['batch.json'], ['batch.crc'], ['batch.0']])(
    "in a version's column text file (.%s): the server answers machineLearningBatch and other requests, instead of its event loop waiting for ever on the open",
    async (suffix) => {
      const template = await columnTextLake();
      const lake = makeTempDir('stedi-pipe-state-');
      cpSync(template.lake, lake, { recursive: true, preserveTimestamps: true });
      const { answer } = template;
      const live = (await manifestOf(lake))!.versions[0]!;
      const file = join(lake, live.tables.machine_learning_curated.location.replace(/\.parquet$/, `.${suffix}`));
      expect(existsSync(file)).toBe(true);
      rmSync(file);
      execFileSync('mkfifo', [file]);
      const served = await serveLake(['--lake', lake]);
      try {
        // Bounded: a server whose event loop is blocked never answers.
        const ask = async (query: string): Promise<unknown> => {
          const response = await fetch(`${served.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ANALYST_KEY}` }, body: JSON.stringify({ query }), signal: AbortSignal.timeout(15_000) });
          return response.json();
        };
        expect(await ask(batch)).toEqual(answer);
        expect(await ask('{ __typename }')).toEqual({ data: { __typename: 'Query' } });
      } finally {
        await served.stop();
      }
    },
  );

  it('in _stedi/dev-keys: stedi start says in one line that it cannot read the kept keys, instead of waiting for ever on the read', async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir('stedi-pipe-state-');
    await buildLake(landing, lake);
    const file = join(lake, '_stedi', 'dev-keys');
    execFileSync('mkfifo', [file]);
    const start = await runWithin(['start', '--lake', lake, '--landing', landing, '--port', '0'], 20_000, { HOST: '127.0.0.1', STEDI_WORKERS: '1' });
    expect(start).toEqual({
      code: 1,
      stderr: `stedi: cannot read the development keys file ${file} (ENOTREG); delete it and npm start makes new ones, run as the user who made it, or set STEDI_API_KEYS\n`,
    });
  });
});
