import type { ReadThreads } from '../../landing/landing-columns';
import { SOURCES, type Source } from '../../tables';

/**
 * Sources parsed on the build's own thread go one at a time, in catalogue
 * order: the first zones start while the next source parses. A source's turn
 * ends once it is parsed (its view may wait for DuckDB), or once it failed.
 */
export class SourceTurns {
  private readonly turns = SOURCES.map(() => {
    let resolve!: () => void;
    return { promise: new Promise<void>((r) => (resolve = r)), resolve };
  });
  private left = SOURCES.length;

  /** When `source` may parse here (every earlier source parsed), and how it says it is done. */
  of(source: Source): Required<Pick<ReadThreads, 'turn' | 'done'>> {
    const k = SOURCES.indexOf(source);
    return { turn: () => Promise.all(this.turns.slice(0, k).map((t) => t.promise)), done: () => this.turns[k].resolve() };
  }

  /** `source` is loaded or failed: the next may parse. True once every source is. */
  landed(source: Source): boolean {
    this.turns[SOURCES.indexOf(source)].resolve();
    this.left -= 1;
    return this.left === 0;
  }
}
