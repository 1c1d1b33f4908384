import { CONSENT_UNCERTAIN_TABLE, TABLE_NAMES, type TableName } from '../../tables';
import { referencedNames } from './sql-text';

/**
 * The relations an Athena build has produced so far, by catalogue name: a
 * zone's or a check's SELECT names tables, and runs against this build's
 * versioned objects, never the live views.
 */
export class BuildRelations {
  private readonly available = new Map<TableName, string>();
  /** The build's consent_uncertain relation, once the customer landing is read. */
  private uncertain?: string;

  add(table: TableName, relation: string): void {
    this.available.set(table, relation);
  }

  /** Not a catalogue table: the customer landing derives it (doubt hides), and whatever reads it runs after that. */
  addConsentUncertain(relation: string): void {
    this.uncertain = relation;
  }

  /** The relations for every table `select` reads; reading one not built yet is a bug in the zone order. */
  bindingsFor(select: string, reader: string): Map<TableName, string> {
    const bindings = new Map<TableName, string>();
    for (const name of referencedNames(select, TABLE_NAMES)) bindings.set(name, this.require(this.available.get(name), name, reader));
    if (referencedNames(select, [CONSENT_UNCERTAIN_TABLE]).length > 0) {
      bindings.set(CONSENT_UNCERTAIN_TABLE as TableName, this.require(this.uncertain, CONSENT_UNCERTAIN_TABLE, reader));
    }
    return bindings;
  }

  private require(relation: string | undefined, name: string, reader: string): string {
    if (!relation) throw new Error(`the SQL of ${reader} reads ${name}, which this build has not produced yet`);
    return relation;
  }
}
