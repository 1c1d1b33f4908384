import { afterDamage, READ_ACCESS_FIX } from '../../../../etl/engine/engine-errors';
import { describeDamage } from '../../../../etl/engine/duckdb/version-damage';

const unreadable = `customer/curated/v=x/customer_curated.parquet cannot be read (EACCES): the user running stedi may not read it; ${READ_ACCESS_FIX}`;
const missing = 'machine_learning/curated/v=x/machine_learning_curated.parquet is missing';

describe('the damage of a version with several damaged files', () => {
  it('is one file\'s own text when only one is damaged', () => {
    expect(describeDamage([missing])).toBe(missing);
  });

  it('advises a build when any file is damaged beyond its permissions, and only the permission fix when none is', () => {
    const mixed = describeDamage([missing, unreadable]);
    expect(mixed).toBe(`2 files are damaged: ${unreadable}; also ${missing}`);
    expect(afterDamage(mixed, 'run `stedi build`')).toBe('; run `stedi build`');
    expect(afterDamage(describeDamage([unreadable, unreadable.replace('customer_curated', 'customer_trusted')]), 'run `stedi build`')).toBe('');
  });
});
