/**
 * A result column of `length` values, made as every column the compiled page
 * code reads is made (src/graphql/edges-writer.ts). V8 gives an array a map
 * by the kind of its elements, and code compiled for one map deoptimises on
 * another (its "wrong map") and is compiled again. A column of numbers was an
 * array of small integers or of doubles by its values, and optimised code
 * reading string and number columns at one place (a page's key check, its
 * cursors) turned double arrays into arrays of values midway through a page's
 * life. So every column, numbers too, is an array of values from the start.
 */
export function columnArray(length: number): unknown[] {
  const column = new Array<unknown>(length);
  // A value that is not a number makes the array's elements values; every index is written after.
  if (length > 0) column[0] = null;
  return column;
}
