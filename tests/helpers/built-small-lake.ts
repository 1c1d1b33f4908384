import { cpSync } from 'node:fs';
import { makeTempDir, writeSmallLanding } from './landing-fixture';
import { runCli } from './run-cli';
import { runBin } from './spawn-cli';

export interface BuiltSmallLake {
  /** The landing it was built from (its manifest names it: copies read the same one). */
  readonly landing: string;
  /** Its one version. */
  readonly version: string;
  /** A copy of the lake, as `stedi build` left it, at `to` (default a new temp folder); returns its path. */
  copy(to?: string): string;
}

/**
 * A small lake (writeSmallLanding) built once per suite in beforeAll by `stedi build`, for tests whose subject is what
 * a later build or status makes of a built lake: each changes a copy (cp -r) instead of building the same lake again.
 */
export function builtSmallLake({ spawned = false }: { spawned?: boolean } = {}): BuiltSmallLake {
  let built: { landing: string; lake: string; version: string } | undefined;
  beforeAll(async () => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    // spawned: by bin/stedi.js in a process of its own, out of reach of what an earlier suite of the worker left running.
    const args = ['build', '--landing', landing, '--lake', lake, '--json'];
    const run = spawned ? await runBin(args).then((r) => ({ exitCode: r.code, stdout: r.stdout, stderr: r.stderr })) : await runCli(...args);
    if (run.exitCode !== 0) throw new Error(`the suite's small lake did not build: ${run.stderr}`);
    built = { landing, lake, version: JSON.parse(run.stdout).version as string };
  });
  const get = (): NonNullable<typeof built> => {
    if (built === undefined) throw new Error('builtSmallLake() is used inside a test (its lake is built in beforeAll)');
    return built;
  };
  return {
    get landing() {
      return get().landing;
    },
    get version() {
      return get().version;
    },
    copy(to = makeTempDir()) {
      cpSync(get().lake, to, { recursive: true });
      return to;
    },
  };
}
