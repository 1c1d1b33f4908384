import { fork } from 'node:child_process';
import { extname, join } from 'node:path';
import { runBuildOnSteadyLanding } from '../../etl/build-again';
import type { BuildAgain, BuildOptions, BuildProgress, DeadBuildsCleared } from '../../etl/build-options';
import type { Engine } from '../../etl/engine/engine';
import type { VersionManifest } from '../../etl/manifest';
import { childExecArgv } from '../cluster/exec-argv';
import type { Config } from '../config';
import { expireHoldingVersions } from './erasure';

/**
 * Runs one build in a child process (rebuild-child.ts) and reports its
 * progress, so the build's CPU and memory are not the serving process's.
 */

/** The nice value of a rebuild process: readers come first. */
export const REBUILD_NICE = 10;

export interface ChildRequest {
  config: Omit<Config, 'apiKeys' | 'apiKeysFile'>;
  options: Pick<BuildOptions, 'consentPolicy' | 'keepVersions' | 'maxLineBytes' | 'doubtTextBytes' | 'landingSettle'>;
}

export type ChildReport =
  | { type: 'progress'; progress: BuildProgress }
  /** A landing file changed while it was read: the build starts again (its progress from the first step). */
  | { type: 'again'; again: BuildAgain }
  /** The version is written and checked; the child publishes it once the parent says `publish`. */
  | { type: 'staged'; version: VersionManifest }
  | { type: 'done'; version: string; durationMs: number; leftBehind?: string; deadBuilds?: DeadBuildsCleared }
  | { type: 'failed'; name: string; message: string; stack?: string; failed?: unknown };

/** What the parent tells a child after `staged`: the servers are ready, publish. */
export interface PublishNow {
  type: 'publish';
}

/** Called before the new version is published (the servers load it); the build waits for it. */
export type OnStaged = (version: VersionManifest) => Promise<void>;

export interface BuiltVersion {
  version: string;
  durationMs: number;
  /** The build published, but versions it expired stay on disk (their removal was refused): the warning `stedi build` prints. */
  leftBehind?: string;
  /** What builds that died before finishing had left on the lake, and this one removed. */
  deadBuilds?: DeadBuildsCleared;
}

/** The failure the child reported, with its name, so callers can tell a failed check from a lock held elsewhere. */
export class RebuildProcessError extends Error {
  constructor(name: string, message: string, stack?: string, readonly failed?: unknown) {
    super(message);
    this.name = name;
    if (stack) this.stack = stack;
  }
}

/**
 * The child died without reporting (SIGKILL: the kernel's out-of-memory killer, or a kill by hand), before or after it
 * published; `signal` (or `code`) says how.
 */
export class RebuildProcessDiedError extends Error {
  override readonly name = 'RebuildProcessDiedError';
  constructor(
    readonly signal: NodeJS.Signals | null,
    readonly code: number | null,
  ) {
    super(`the rebuild process ended (${signal ?? `exit code ${code}`}) without reporting an outcome`);
  }
}

/** The child entry beside this file: compiled JavaScript, or TypeScript when running from the sources (tests, bench). */
const CHILD_BESIDE = join(__dirname, `rebuild-child${extname(__filename)}`);

function childEntry(path: string): { path: string; execArgv: string[] } {
  return { path, execArgv: childExecArgv(path).filter((a) => !a.startsWith('--cpu-prof')) };
}

/** Called when the build starts again after a landing file changed while it was read (build-again.ts). */
export type OnBuildAgain = (again: BuildAgain) => void;

export function buildInChildProcess(
  config: Config,
  options: ChildRequest['options'],
  onProgress: (progress: BuildProgress) => void,
  onStaged?: OnStaged,
  onBuildAgain?: OnBuildAgain,
  // Another rebuild-child file: the tests start the compiled one in dist/ (from the TypeScript sources, ts-node
  // compiles a hundred modules in every child, 2.5 CPU s).
  entry = CHILD_BESIDE,
): Promise<BuiltVersion> {
  const { path, execArgv } = childEntry(entry);
  const { apiKeys: _keys, apiKeysFile: _file, ...rest } = config;
  const child = fork(path, [], { execArgv, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let outcome: ChildReport | undefined;
    child.on('message', (report: ChildReport) => {
      if (report.type === 'progress') onProgress(report.progress);
      else if (report.type === 'again') onBuildAgain?.(report.again);
      else if (report.type === 'staged') {
        // Whatever staging does (fails, or takes too long for RebuildJobs), the build goes on to publish.
        void Promise.resolve(onStaged?.(report.version))
          .catch(() => undefined)
          .then(() => child.connected && child.send({ type: 'publish' } satisfies PublishNow));
      } else outcome = report;
    });
    child.once('error', reject);
    // 'close', not 'exit': by then every message the child sent has been read.
    child.once('close', (code, signal) => {
      if (outcome?.type === 'done') resolve({ version: outcome.version, durationMs: outcome.durationMs, leftBehind: outcome.leftBehind, deadBuilds: outcome.deadBuilds });
      else if (outcome?.type === 'failed') reject(new RebuildProcessError(outcome.name, outcome.message, outcome.stack, outcome.failed));
      else reject(new RebuildProcessDiedError(signal, code));
    });
    child.send({ config: rest, options } satisfies ChildRequest);
  });
}

/**
 * The same build in the calling process, on its engine: for tests that fake
 * the filesystem or the clock in-process (which a child cannot see), and for
 * many rebuilds in a row where a process start each would dominate.
 */
export const buildInThisProcess =
  (engine: Engine) =>
  async (_config: Config, options: ChildRequest['options'], onProgress: (progress: BuildProgress) => void, onStaged?: OnStaged, onBuildAgain?: OnBuildAgain): Promise<BuiltVersion> => {
    let leftBehind: string | undefined;
    const onLeftBehind = (message: string): void => void (leftBehind = message);
    let deadBuilds: DeadBuildsCleared | undefined;
    const build: BuildOptions = {
      ...options,
      background: true,
      onProgress,
      expireVersions: expireHoldingVersions(engine, options),
      beforePublish: onStaged,
      onLeftBehind,
      onDeadBuildsCleared: (cleared) => void (deadBuilds = cleared),
      onBuildAgain: (_message, again) => onBuildAgain?.(again),
    };
    const manifest = await runBuildOnSteadyLanding(() => engine.buildTarget(build), build);
    return { version: manifest.version, durationMs: manifest.durationMs, leftBehind, deadBuilds };
  };
