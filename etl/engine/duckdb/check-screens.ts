import type { UniqueKey } from '../build-target';
import { duplicateScreen } from './build-settings';

/** Runs one SQL statement that returns one row of counts. */
export type CountRow = (sql: string) => Promise<number[]>;

/**
 * A build's checks on DuckDB. A uniqueness check runs a cheap screen first
 * (duplicateScreen) and its exact query only when the screen finds a repeat;
 * a screen already run on a written table (see deferred-distinct.ts) is not
 * run again: a built file never changes.
 */
export class CheckScreens {
  /** Screens already run, by their SQL, with the repeats they found. */
  private readonly screened = new Map<string, number>();

  /** `count` runs each screen and check. */
  constructor(private readonly count: CountRow) {}

  /** The screen `screen` found no repeat in a written table. */
  clean(screen: string): void {
    this.screened.set(screen, 0);
  }

  async violations(select: string, unique?: UniqueKey): Promise<number> {
    const screen = duplicateScreen(unique);
    if (screen && (this.screened.get(screen) ?? (await this.count(screen))[0]) === 0) return 0;
    return (await this.count(select))[0];
  }

  /** Every check in one statement: at small sizes a check costs more in its own statement than in its scans. */
  async violationsOfAll(checks: ReadonlyArray<{ select: string; unique?: UniqueKey }>): Promise<number[]> {
    const screens = checks.map((c) => duplicateScreen(c.unique));
    const counts = screens.map((s) => (s === undefined ? undefined : this.screened.get(s)));
    const left = checks.map((_, k) => k).filter((k) => counts[k] === undefined);
    if (left.length > 0) {
      const found = await this.count(`SELECT ${left.map((k) => `(${screens[k] ?? checks[k].select}) AS "c${k}"`).join(',\n')}`);
      left.forEach((k, j) => (counts[k] = found[j]));
    }
    for (const [k, check] of checks.entries()) {
      if (screens[k] && counts[k]! > 0) counts[k] = (await this.count(check.select))[0];
    }
    return counts as number[];
  }
}
