/** The ISO text Date#toISOString writes for epoch `ms` (fractions dropped), also past the ±8.64e15 a Date holds. */
export function dateText(ms: number): string {
  const whole = Math.trunc(ms) + 0;
  if (Math.abs(whole) <= 8.64e15) return new Date(whole).toISOString();
  // The calendar repeats every 400 years (146,097 days): such a time reads as its twin 30 cycles nearer 1970, 12,000 years apart.
  const cycles = Math.sign(whole) * 30;
  const twin = new Date(whole - cycles * 146_097 * 86_400_000).toISOString();
  const year = Number(twin.slice(0, 7)) + 400 * cycles;
  return `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}${twin.slice(7)}`;
}
