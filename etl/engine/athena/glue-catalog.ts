import { BatchDeleteTableVersionCommand, GetTableVersionsCommand, type GlueClient } from '@aws-sdk/client-glue';
import { type BoundedSend, boundedBy } from './aws-call';
import { unavailableOr } from './aws-error-text';

/**
 * The one thing the Athena engine asks of the Glue catalogue directly. Each
 * `CREATE OR REPLACE VIEW` adds a Glue table version to the live view, and
 * Glue keeps them all (up to a per-account quota), so after a switch the old
 * versions of the live views are deleted; Athena only ever reads the current one.
 */
export interface Catalog {
  /** Deletes every version of `table` but the current one; returns how many. */
  pruneTableVersions(table: string): Promise<number>;
}

const notFound = (error: unknown): boolean => (error as { name?: string })?.name === 'EntityNotFoundException';

// Glue's limit for one BatchDeleteTableVersion call.
const DELETE_BATCH = 100;

export class GlueCatalog implements Catalog {
  private readonly send: BoundedSend;

  constructor(
    private readonly glue: GlueClient,
    private readonly database: string,
    /** How long one Glue call may take, retries included (STEDI_AWS_TIMEOUT_MS). */
    timeoutMs: number,
  ) {
    this.send = boundedBy(timeoutMs);
  }

  async pruneTableVersions(table: string): Promise<number> {
    const ids: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.send((o) => this.glue.send(new GetTableVersionsCommand({ DatabaseName: this.database, TableName: table, NextToken: token }), o));
        for (const version of page.TableVersions ?? []) if (version.VersionId) ids.push(version.VersionId);
        token = page.NextToken;
      } while (token);
    } catch (error) {
      if (notFound(error)) return 0;
      throw unavailableOr(error, 'Glue', `cannot list the Glue versions of ${this.database}.${table}`);
    }
    // Version ids are increasing integers; the highest is the table as it is now.
    const old = ids.sort((a, b) => Number(b) - Number(a)).slice(1);
    for (let i = 0; i < old.length; i += DELETE_BATCH) {
      const batch = old.slice(i, i + DELETE_BATCH);
      const result = await this.send((o) => this.glue.send(new BatchDeleteTableVersionCommand({ DatabaseName: this.database, TableName: table, VersionIds: batch }), o)).catch((error: unknown) => {
        throw unavailableOr(error, 'Glue', `cannot delete old Glue versions of ${this.database}.${table}`);
      });
      if (result.Errors && result.Errors.length > 0) {
        const first = result.Errors[0];
        // A warning after a publish: it says whether to act. Every build that publishes prunes all but the current version.
        throw new Error(`could not delete ${result.Errors.length} Glue versions of ${this.database}.${table} (first: ${first.VersionId}: ${first.ErrorDetail?.ErrorMessage}); they are only old versions, and the next successful build deletes them`);
      }
    }
    return old.length;
  }
}
