import type { Engine } from '../../etl/engine/engine';
import { keptCustomersSql } from './consent-sql';

export interface VersionCustomer {
  email: string;
  serialNumber: string;
  /** The consent date the version was built with (for `as-of`: a later one in landing hides the customer). */
  consentAt: number | null;
}

/**
 * The customers each kept version holds, for its exclusion list. Read once per
 * version (versions never change) from where its customer_trusted is stored,
 * two columns only, so the registry never loads a whole version.
 */
export class VersionCustomers {
  private readonly lists = new Map<string, Promise<VersionCustomer[]>>();
  /** One copy of each email and serial however many kept versions hold them (each server worker keeps these lists). */
  private strings = new Map<string, string>();

  constructor(private readonly engine: Engine) {}

  of(version: string): Promise<VersionCustomer[]> {
    let list = this.lists.get(version);
    if (!list) {
      list = this.read(version);
      this.lists.set(version, list);
      list.catch(() => this.lists.delete(version));
    }
    return list;
  }

  /** Forgets the lists of versions no longer kept. */
  retain(kept: readonly string[]): void {
    let dropped = false;
    for (const version of this.lists.keys()) {
      if (kept.includes(version)) continue;
      this.lists.delete(version);
      dropped = true;
    }
    // Start a new table rather than keep the strings of customers no kept version holds.
    if (dropped) this.strings = new Map();
  }

  private intern(value: unknown): string {
    const text = String(value);
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  private async read(version: string): Promise<VersionCustomer[]> {
    const ref = this.engine.scanRef ? await this.engine.scanRef('customer_trusted', version) : await this.engine.tableRef('customer_trusted', version);
    const rows = await this.engine.query(keptCustomersSql(ref));
    return rows.map((row) => ({
      email: this.intern(row.email),
      serialNumber: this.intern(row.serialNumber),
      consentAt: row.shareWithResearchAsOfDate == null ? null : Number(row.shareWithResearchAsOfDate),
    }));
  }
}
