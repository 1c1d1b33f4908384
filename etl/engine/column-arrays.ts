/**
 * A result column of `length` values, made as every column the compiled page
 * code reads is made (src/graphql/edges-writer.ts). V8 gives an array a map by
 * the kind of its elements, and code compiled for one map deoptimises on
 * another (its "wrong map"), to be compiled again: a column of whole numbers
 * (readings of 0 and 1, small distances) stayed an array of small integers
 * where the same column of another page was an array of doubles. A column of
 * numbers is an array of doubles from the start.
 */
export function columnArray(length: number, numbers: boolean): unknown[] {
  const column = new Array<unknown>(length);
  // A double in the array makes its elements doubles; every index is written after.
  if (numbers && length > 0) column[0] = 0.5;
  return column;
}
