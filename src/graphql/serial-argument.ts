import { deviceOf, serialSpellingOf } from '../../etl/landing/serial-spelling';

/**
 * The stored spellings a serialNumber a client typed may name. The lake's device rule says a serial names one device
 * whatever its ASCII case, spaces and invisible marks (serial-spelling.ts), and keeps one spelling of each device in a
 * version, so ` 50F7…` pasted from a spreadsheet finds `50f7…`; it silently matched nothing before. Consent is as
 * before: these match only rows the consent filter lets through, so a non-consenting device still answers nothing.
 * The given text, its folded spelling and that in capitals: a handful of bound values, whose IN keeps the engine's
 * row-group pruning, which folding the column in SQL would lose.
 * A serial stored in mixed case (landing keeps it as written; no real device is spelled so) is found only typed as stored.
 */
export function serialSpellings(given: string): string[] {
  const folded = serialSpellingOf(given);
  return [...new Set([given, folded, folded.replace(/[a-z]/g, (c) => c.toUpperCase())])];
}

/** Whether two serials name the same device (a hidden serial and a one-device pull's argument). */
export const sameDevice = (a: string, b: string): boolean => deviceOf(a) === deviceOf(b);
