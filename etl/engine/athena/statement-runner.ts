import type { AthenaClient } from '@aws-sdk/client-athena';
import type { Row } from '../engine';
import { executionParameters } from './parameters';
import type { AthenaQueryRunner } from './query-runner';
import { readResultRows } from './results';
import type { Statement } from './statements';

/**
 * Where a build's statements go: Athena for a real build, a recorder for
 * `stedi build --dry-run`. The build target never talks to Athena directly,
 * so a dry run walks exactly the same path and prints exactly what would run.
 */
export interface StatementRunner {
  execute(statement: Statement): Promise<void>;
  /** Runs a SELECT and returns its rows (few: counts and checks). */
  select(statement: Statement): Promise<Row[]>;
}

export class AthenaStatementRunner implements StatementRunner {
  constructor(
    private readonly client: AthenaClient,
    private readonly runner: AthenaQueryRunner,
    private readonly timeoutMs: number,
  ) {}

  async execute(statement: Statement): Promise<void> {
    await this.run(statement);
  }

  async select(statement: Statement): Promise<Row[]> {
    return readResultRows(this.client, await this.run(statement), { maxRows: 10_000 });
  }

  private run(statement: Statement) {
    const parameters = executionParameters(statement.sql, statement.params ?? []);
    return this.runner.run(statement.sql, { timeoutMs: this.timeoutMs, parameters });
  }
}

/** Records statements instead of running them; every SELECT answers with no rows (counts read as 0). */
export class RecordingStatementRunner implements StatementRunner {
  readonly statements: Statement[] = [];

  async execute(statement: Statement): Promise<void> {
    executionParameters(statement.sql, statement.params ?? []);
    this.statements.push(statement);
  }

  async select(statement: Statement): Promise<Row[]> {
    await this.execute(statement);
    return [];
  }
}
