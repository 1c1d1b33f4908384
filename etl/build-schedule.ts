import { CONSENT_UNCERTAIN_TABLE, TABLE_NAMES } from './tables';

/**
 * The order a build's statements run in: each starts once the tables it needs
 * are ready, at most `limit` at a time, the first runnable in list order (list
 * the zones first: they are the longer path). A landing table is released once
 * every statement reading it has finished. The first failure stops new work;
 * it is thrown once all running work has settled, so nothing races the
 * build's clean-up. When several fail, the first in list order (landings,
 * then steps) is thrown, not the first in time: the same broken landing
 * gives the same error on every run.
 */

export interface ScheduledStep {
  /** The table it makes ready, if any. */
  table?: string;
  /** Tables that must be ready before it starts. */
  needs: readonly string[];
  /** Tables it reads, once per statement reading each (for releasing them). */
  reads: readonly string[];
  run(): Promise<void>;
}

export interface Schedule {
  limit: number;
  /** At most this many steps that make a table at once (the others fill the limit); unset: `limit`. */
  tableLimit?: number;
  /** Each load makes its tables ready when it resolves. */
  landings: ReadonlyArray<{ tables: readonly string[]; load: Promise<unknown> }>;
  steps: readonly ScheduledStep[];
  /** Landing tables to release once unused; not those a later step outside the schedule reads (`keep`). */
  releasable: readonly string[];
  keep?: readonly string[];
  release(table: string): Promise<void>;
}

const NAMES = [...TABLE_NAMES, CONSENT_UNCERTAIN_TABLE];

/** The catalogue tables a SQL text names (a name in a comment counts too: one more dependency is only slower). */
export function tablesNamedBy(text: string): string[] {
  return NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(text));
}

export function runSchedule(s: Schedule): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready = new Set<string>();
    const waiting = [...s.steps];
    const users = new Map<string, number>();
    for (const table of s.releasable) {
      if (!s.keep?.includes(table)) users.set(table, s.steps.flatMap((step) => step.reads).filter((t) => t === table).length);
    }
    let running = 0;
    let making = 0;
    const tableLimit = s.tableLimit ?? s.limit;
    let loading = s.landings.length;
    let failure: { error: unknown; rank: number } | undefined;
    const fail = (error: unknown, rank: number): void => {
      if (!failure || rank < failure.rank) failure = { error, rank };
    };
    const rankOf = new Map(s.steps.map((step, k) => [step, s.landings.length + k]));

    const settle = (): void => {
      if (running > 0 || loading > 0) return;
      if (failure) reject(failure.error);
      else if (waiting.length === 0) resolve();
      else reject(new Error(`a build step needs a table no step makes (${waiting.flatMap((w) => w.needs.filter((t) => !ready.has(t))).join(', ')})`));
    };
    const start = (step: ScheduledStep): void => {
      running += 1;
      if (step.table) making += 1;
      void (async () => {
        try {
          await step.run();
          if (step.table) ready.add(step.table);
          for (const table of step.reads) {
            const left = users.get(table);
            if (left === undefined) continue;
            users.set(table, left - 1);
            if (left === 1) await s.release(table);
          }
        } catch (error) {
          fail(error, rankOf.get(step)!);
        } finally {
          running -= 1;
          if (step.table) making -= 1;
          pump();
        }
      })();
    };
    function pump(): void {
      while (!failure && running < s.limit) {
        const next = waiting.findIndex((step) => (!step.table || making < tableLimit) && step.needs.every((t) => ready.has(t)));
        if (next < 0) break;
        start(waiting.splice(next, 1)[0]);
      }
      settle();
    }
    s.landings.forEach((landing, rank) => {
      landing.load
        .then(
          () => landing.tables.forEach((t) => ready.add(t)),
          (error: unknown) => fail(error, rank),
        )
        .finally(() => {
          loading -= 1;
          pump();
        });
    });
    pump();
  });
}
