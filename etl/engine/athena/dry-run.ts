import { type BuildOptions, runBuild } from '../../build';
import type { LakeManifest } from '../../manifest';
import { AthenaBuildTarget } from './athena-build-target';
import { type AthenaEngineOptions, resolveAthenaOptions } from './athena-options';
import type { LakeStore } from './s3-lake';
import { AthenaLayout } from './s3-location';
import { sqlLiteral } from './parameters';
import { type PreflightCall, preflightCalls } from './preflight';
import { RecordingStatementRunner } from './statement-runner';
import type { Statement } from './statements';

/** What a build would do: the pre-flight's calls, then every statement. */
export interface BuildPlan {
  preflight: PreflightCall[];
  statements: Statement[];
}

export async function planAthenaBuildWithPreflight(options: AthenaEngineOptions, build: BuildOptions = {}): Promise<BuildPlan> {
  const resolved = resolveAthenaOptions(options);
  return { preflight: preflightCalls(resolved, new AthenaLayout(resolved.lake, resolved.landing)), statements: await planAthenaBuild(options, build) };
}

/**
 * `stedi build --engine athena --dry-run`: the real build path against a
 * recorder instead of AWS. Nothing is called, so the lake looks new (no
 * manifest, nothing to expire) and every count reads 0; the statements are
 * exactly those a first build runs, in order.
 */
export async function planAthenaBuild(options: AthenaEngineOptions, build: BuildOptions = {}): Promise<Statement[]> {
  const resolved = resolveAthenaOptions(options);
  const runner = new RecordingStatementRunner();
  const target = new AthenaBuildTarget({
    database: resolved.database,
    layout: new AthenaLayout(resolved.lake, resolved.landing),
    runner,
    lake: EMPTY_LAKE,
    lock: { acquire: async () => undefined, release: async () => undefined },
    catalog: { pruneTableVersions: async () => 0 },
    warn: resolved.warn,
    serialLanding: true,
  });
  await runBuild(target, { ...build, onProgress: undefined });
  return runner.statements;
}

const EMPTY_LAKE: LakeStore = {
  readManifest: async (): Promise<LakeManifest | null> => null,
  writeManifest: async () => undefined,
  putText: async () => undefined,
  isEmpty: async () => true,
  deletePrefix: async () => 0,
  versionFolders: async () => [],
};

/** A plan as text: the pre-flight calls as comments, then the statements. */
export function formatPlan(plan: BuildPlan): string {
  const calls = plan.preflight.map((c) => `-- pre-flight: ${c.service} ${c.action} ${c.resource}: ${c.checks}\n`).join('');
  return `${calls}\n${formatStatements(plan.statements)}`;
}

/** The statements as text: each followed by `;`, with the ExecutionParameters Athena would receive in a comment above it. */
export function formatStatements(statements: readonly Statement[]): string {
  return statements
    .map((s) => {
      const params = s.params && s.params.length > 0 ? `-- ExecutionParameters: ${JSON.stringify(s.params.map(sqlLiteral))}\n` : '';
      return `${params}${s.sql};\n`;
    })
    .join('\n');
}
