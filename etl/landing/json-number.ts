import type { JsonScanner } from './json-scanner';
import { REASONS } from './landing-rules';

/**
 * A JSON number at the scanner's position, read into `scan.num`: exact by
 * Clinger's fast path where it applies (the fast record reader, fast-record.ts,
 * takes the same path, so both read the same double from the same digits),
 * else by Number(); a number that is not a finite double fails the line.
 */

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);
// One number at a time is read (synchronously): module variables are safe and fast.
let mantissa = 0;
let significant = 0;

function digits(scan: JsonScanner): number {
  const { s, end } = scan;
  const start = scan.i;
  while (scan.i < end) {
    const c = s.charCodeAt(scan.i);
    if (c >= 48 && c <= 57) scan.i += 1;
    else break;
  }
  return scan.i - start;
}

/** Digits at i, also gathered into `mantissa` (exact while `significant` stays at most 15). */
function mantissaDigits(scan: JsonScanner): number {
  const { s, end } = scan;
  const start = scan.i;
  while (scan.i < end) {
    const c = s.charCodeAt(scan.i);
    if (c < 48 || c > 57) break;
    if (significant > 0 || c !== 48) significant += 1;
    mantissa = mantissa * 10 + (c - 48);
    scan.i += 1;
  }
  return scan.i - start;
}

export function parseNumber(scan: JsonScanner): void {
  const { s, end } = scan;
  const start = scan.i;
  const negative = s.charCodeAt(scan.i) === 0x2d;
  if (negative) scan.i += 1;
  mantissa = 0;
  significant = 0;
  const first = scan.i < end ? s.charCodeAt(scan.i) : -1;
  if (first === 0x30) scan.i += 1;
  else if (first >= 0x31 && first <= 0x39) mantissaDigits(scan);
  else scan.fail(first === 0x49 || first === 0x4e ? REASONS.notNumber : REASONS.malformed);
  let scale = 0;
  if (scan.i < end && s.charCodeAt(scan.i) === 0x2e) {
    scan.i += 1;
    scale = mantissaDigits(scan);
    if (scale === 0) scan.fail(REASONS.malformed);
  }
  let exponent = false;
  if (scan.i < end && (s.charCodeAt(scan.i) | 0x20) === 0x65) {
    exponent = true;
    scan.i += 1;
    if (scan.i < end && (s.charCodeAt(scan.i) === 0x2b || s.charCodeAt(scan.i) === 0x2d)) scan.i += 1;
    if (digits(scan) === 0) scan.fail(REASONS.malformed);
  }
  // Exact fast path (Clinger): at most 15 significant digits over an exact power of ten rounds correctly.
  if (!exponent && significant <= 15 && scale <= 22) {
    scan.num = scale === 0 ? mantissa : mantissa / POWERS_OF_TEN[scale];
    if (negative) scan.num = -scan.num;
    return;
  }
  scan.num = Number(s.slice(start, scan.i));
  if (!Number.isFinite(scan.num)) scan.fail(REASONS.numberOutOfRange);
}
