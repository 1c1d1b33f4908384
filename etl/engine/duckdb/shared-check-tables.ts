import { SHARED_CHECK_SUBQUERIES } from '../../checks';

/**
 * The checks' shared subqueries (checks.ts) as tables of the build's DuckDB, made once, when a check first needs
 * one: on the real data each of the three device checks spent ~9 ms of its ~11 ms computing the same safe serials.
 */
export class SharedCheckTables {
  /** Private: every shared table made; reset when making them failed, so a check run again alone may retry. */
  private made?: Promise<void>;

  /** `run` executes one statement on a connection of its own. */
  constructor(private readonly run: (sql: string) => Promise<void>) {}

  /** `sql` reading the shared tables in place of the subqueries they hold, once those tables exist. */
  async rewrite(sql: string): Promise<string> {
    if (!SHARED_CHECK_SUBQUERIES.some((s) => sql.includes(s.sql))) return sql;
    this.made ??= this.make().catch((error: unknown) => {
      this.made = undefined;
      throw error;
    });
    await this.made;
    return readingTables(sql);
  }

  private async make(): Promise<void> {
    for (const [k, { name, sql }] of SHARED_CHECK_SUBQUERIES.entries()) {
      await this.run(`CREATE OR REPLACE TABLE ${name} AS SELECT * FROM ${readingTables(sql, k)} AS shared`);
    }
  }
}

/** `sql` with the first `count` shared subqueries read from their tables: a later one may hold an earlier, so it goes first. */
function readingTables(sql: string, count = SHARED_CHECK_SUBQUERIES.length): string {
  let text = sql;
  for (const { name, sql: subquery } of SHARED_CHECK_SUBQUERIES.slice(0, count).reverse()) text = text.replaceAll(subquery, name);
  return text;
}
