import { type BuildOptions, runBuild } from '../../build';
import type { LakeManifest } from '../../manifest';
import { AthenaBuildTarget } from './athena-build-target';
import { type AthenaEngineOptions, resolveAthenaOptions } from './athena-options';
import type { LakeStore } from './s3-lake';
import { AthenaLayout } from './s3-location';
import { preflightCalls } from './preflight-calls';
import type { BuildPlan } from './plan-text';
import { RecordingStatementRunner } from './statement-runner';
import type { Statement } from './statements';

export async function planAthenaBuildWithPreflight(options: AthenaEngineOptions, build: BuildOptions = {}): Promise<BuildPlan> {
  const resolved = resolveAthenaOptions(options);
  return { preflight: preflightCalls(resolved, new AthenaLayout(resolved.lake, resolved.landing ?? resolved.lake)), statements: await planAthenaBuild(options, build) };
}

/**
 * `stedi build --engine athena --dry-run`: the real build path against a
 * recorder instead of AWS. Nothing is called, so the lake looks new (no
 * manifest, nothing to expire, landing under the lake unless given) and every
 * count reads 0; the statements are exactly those a first build runs, in order.
 */
export async function planAthenaBuild(options: AthenaEngineOptions, build: BuildOptions = {}): Promise<Statement[]> {
  const resolved = resolveAthenaOptions(options);
  const runner = new RecordingStatementRunner();
  const target = new AthenaBuildTarget({
    database: resolved.database,
    layout: new AthenaLayout(resolved.lake, resolved.landing ?? resolved.lake),
    runner,
    lake: EMPTY_LAKE,
    lock: { acquire: async () => undefined, verify: async () => undefined, release: async () => undefined },
    catalog: { pruneTableVersions: async () => 0 },
    warn: resolved.warn,
    serialLanding: true,
  });
  await runBuild(target, { ...build, onProgress: undefined });
  return runner.statements;
}

const EMPTY_LAKE: LakeStore = {
  readManifest: async (): Promise<LakeManifest | null> => null,
  readStoredManifest: async () => ({ manifest: null, etag: null }),
  writeManifest: async () => undefined,
  putText: async () => undefined,
  isEmpty: async () => true,
  deletePrefix: async () => 0,
  versionFolders: async () => [],
};

