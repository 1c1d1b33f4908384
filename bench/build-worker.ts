import type { ChildProcess } from 'node:child_process';
import { endChild, forkTs, nextMessage } from './child-process';

/**
 * Runs builds in a child process (build-child.ts). `fresh`: a new process per
 * build, so each build's peak memory is its own (the full run); otherwise one
 * process serves every build (quick runs, where process start-up would dominate).
 */

export interface Built {
  durationMs: number;
  /** The process's peak resident memory so far. */
  maxRssBytes: number;
  /** The process's peak resident memory before its first build. */
  baselineRssBytes: number;
  rows: Record<string, number>;
  stepMs: Record<string, number>;
}

const BUILD_TIMEOUT_MS = 15 * 60_000;
const START_TIMEOUT_MS = 120_000;

export class BuildWorker {
  private child?: ChildProcess;

  constructor(private readonly fresh: boolean) {}

  async build(landing: string, lake: string): Promise<Built> {
    const child = this.child ?? (await this.start());
    try {
      const built = nextMessage<Built>(child, 'built', BUILD_TIMEOUT_MS);
      child.send({ type: 'build', landing, lake });
      return await built;
    } finally {
      if (this.fresh) await this.close();
    }
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await endChild(child);
  }

  private async start(): Promise<ChildProcess> {
    const child = forkTs('build-child.ts', []);
    this.child = child;
    try {
      await nextMessage(child, 'ready', START_TIMEOUT_MS);
    } catch (error) {
      await this.close();
      throw error;
    }
    return child;
  }
}
