/**
 * A finite number's JSON text written as bytes, as JSON.stringify writes it:
 * a bulk page writes several per row, and a string per number (then its
 * bytes) cost several times this. Safe integers are written digit by digit in
 * 32-bit integer arithmetic (a double's % is a call to fmod); any other
 * number as its own text.
 */

/** A finite number as JSON writes it: a safe integer digit by digit (-0 as 0), anything else as its text (ASCII). */
export function writeNumber(b: Buffer, at: number, v: number): number {
  let p = at;
  if (!Number.isSafeInteger(v)) return p + b.write(`${v}`, p, 'latin1');
  let rest = v;
  if (rest < 0) {
    b[p++] = 0x2d;
    rest = -rest;
  }
  if (rest < 1e9) return writeDigits(b, p, rest);
  // Above 32-bit integers (epoch milliseconds): two halves, each divided in integer arithmetic.
  let high = Math.floor(rest / 1e9);
  let low = rest - high * 1e9;
  if (low < 0) {
    high -= 1;
    low += 1e9;
  } else if (low >= 1e9) {
    high += 1;
    low -= 1e9;
  }
  p = writeDigits(b, p, high);
  for (let q = p + 8; q >= p; q -= 1) {
    const d = (low / 10) | 0;
    b[q] = 0x30 + low - d * 10;
    low = d;
  }
  return p + 9;
}

/** A whole number from 0 to 2^31 - 1, its digits written from the last. */
function writeDigits(b: Buffer, at: number, n: number): number {
  if (n < 10) {
    b[at] = 0x30 + n;
    return at + 1;
  }
  let length = 1;
  for (let t = n; t >= 10; t = (t / 10) | 0) length += 1;
  let rest = n;
  for (let q = at + length - 1; q >= at; q -= 1) {
    const d = (rest / 10) | 0;
    b[q] = 0x30 + rest - d * 10;
    rest = d;
  }
  return at + length;
}
