/**
 * Epoch milliseconds as the ISO-8601 text Date#toISOString writes, without a
 * Date per value: a bulk page writes one per row, and a Date plus its
 * toISOString cost several times this. The day's text is kept (rows come in
 * time order) and so is the last answer (training rows repeat a time for each
 * accelerometer reading joined to it). Years outside 0000–9999 go to Date.
 */

/**
 * The largest epoch millisecond written, either side of 1970 (the DateTime scalar refuses others): landing
 * accepts any whole number within ±(2^53 - 1) as a time, beyond the ±8.64e15 a Date holds (year 275760).
 */
export const MAX_TIME_MS = Number.MAX_SAFE_INTEGER;
/** The Gregorian calendar repeats every 400 years, 146,097 days: a time beyond a Date's range is written from its twin inside it. */
const CYCLE_MS = 146_097 * 86_400_000;
const DATE_MAX_MS = 8.64e15;

const DAY_MS = 86_400_000;
const ZERO = 48;
const chars = new Uint8Array(24);
let dayStart = Number.NaN;
let lastMs = Number.NaN;
let lastText = '';
/** The time `chars` holds the text of (isoText's answer is kept apart: writeIsoText fills `chars` too). */
let filledMs = Number.NaN;

/** `ms` must be a time a Date can hold (the caller checks); fractions are dropped as Date drops them. */
export function isoText(ms: number): string {
  if (ms === lastMs) return lastText;
  if (!fill(ms)) return otherEra(Math.trunc(ms) + 0);
  // One flat string of 24 characters (concatenation would leave a rope for JSON.stringify to flatten).
  const c = chars;
  lastText = String.fromCharCode(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15], c[16], c[17], c[18], c[19], c[20], c[21], c[22], c[23]);
  lastMs = ms;
  return lastText;
}

/** The text of a year outside 0000–9999 as Date#toISOString writes it (±YYYYYY), also past the years a Date holds. */
function otherEra(ms: number): string {
  if (Math.abs(ms) <= DATE_MAX_MS) return new Date(ms).toISOString();
  const cycles = Math.trunc(ms / CYCLE_MS);
  const twin = new Date(ms - cycles * CYCLE_MS).toISOString();
  const at = twin.indexOf('-', 1);
  const year = Number(twin.slice(0, at)) + 400 * cycles;
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}${twin.slice(at)}`;
}

/**
 * The same text's 24 bytes written into `b` at `at` (a bulk page's JSON is
 * written as bytes: no string per row); the position after it, or -1 when
 * the year is outside 0000–9999 (nothing written: the caller uses isoText).
 */
export function writeIsoText(b: Uint8Array, at: number, ms: number): number {
  if (!fill(ms)) return -1;
  const c = chars;
  for (let i = 0; i < 24; i += 1) b[at + i] = c[i];
  return at + 24;
}

/** `chars` set to the text of `ms`; false when its year has not four digits. */
function fill(ms: number): boolean {
  if (ms === filledMs) return true;
  const whole = Math.trunc(ms) + 0;
  const day = Math.floor(whole / DAY_MS) * DAY_MS;
  if (day !== dayStart && !startDay(day)) return false;
  // The time of day fits 32 bits: integer arithmetic (a double's % is a call to fmod).
  let rest = (whole - day) | 0;
  const milli = rest % 1000;
  rest = ((rest - milli) / 1000) | 0;
  const second = rest % 60;
  rest = ((rest - second) / 60) | 0;
  const minute = rest % 60;
  const hour = ((rest - minute) / 60) | 0;
  two(11, hour);
  two(14, minute);
  two(17, second);
  chars[20] = ZERO + ((milli / 100) | 0);
  two(21, milli % 100);
  filledMs = ms;
  return true;
}

function two(at: number, value: number): void {
  const tens = (value / 10) | 0;
  chars[at] = ZERO + tens;
  chars[at + 1] = ZERO + value - 10 * tens;
}

/** Takes the date part of `day` (YYYY-MM-DDT) when its year has four digits. */
function startDay(day: number): boolean {
  if (Math.abs(day) > DATE_MAX_MS) return false;
  const text = new Date(day).toISOString();
  if (text.length !== 24) return false;
  for (let i = 0; i < 11; i += 1) chars[i] = text.charCodeAt(i);
  chars[13] = chars[16] = 58; // ':'
  chars[19] = 46; // '.'
  chars[23] = 90; // 'Z'
  dayStart = day;
  return true;
}
