import type { SqlValue } from '../../etl/engine/engine';

/**
 * A WHERE clause built from fixed SQL fragments and bound values: a request's
 * values only ever reach SQL as `?` parameters, and every parameter sits in a
 * WHERE clause (Athena accepts them nowhere else).
 */
export class SqlConditions {
  private readonly parts: string[] = [];
  readonly params: SqlValue[] = [];

  /** `fragment` holds one `?` per value, in order. */
  add(fragment: string, ...values: SqlValue[]): this {
    this.parts.push(fragment);
    this.params.push(...values);
    return this;
  }

  /** `expr IN (?, ?, …)`; an empty list matches nothing. */
  in(expr: string, values: readonly string[]): this {
    if (values.length === 0) return this.add('FALSE');
    return this.add(`${expr} IN (${placeholders(values.length)})`, ...values);
  }

  /** `expr NOT IN (?, ?, …)`; an empty list adds nothing. */
  notIn(expr: string, values: readonly string[]): this {
    if (values.length === 0) return this;
    return this.add(`${expr} NOT IN (${placeholders(values.length)})`, ...values);
  }

  /** `WHERE a AND b …`, or nothing. */
  where(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.map((p) => `(${p})`).join(' AND ')}`;
  }
}

const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
