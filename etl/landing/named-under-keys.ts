import { NamedAddresses } from './named-addresses';
import { deviceOf } from './serial-spelling';

/**
 * What a quarantined landing line names under its email and serialNumber keys, read from its raw text (it failed
 * the schema, so it is not parsed): the emails and devices whose consent it puts in doubt (consent-doubt.ts).
 */

/**
 * A JSON key that reads as `name` (ASCII letters): each letter as written or
 * as its `\u` escape, since JSON lets a producer escape any character. Shared
 * with the Athena view, so it is written for JavaScript and Trino alike.
 */
export function keyPattern(name: string): string {
  if (!/^[A-Za-z]+$/.test(name)) throw new RangeError(`a key pattern is for ASCII letters only; received ${JSON.stringify(name)}`);
  const escaped = (c: string): string =>
    c
      .charCodeAt(0)
      .toString(16)
      .padStart(4, '0')
      .replace(/[a-f]/g, (h) => `[${h}${h.toUpperCase()}]`);
  return `"${[...name].map((c) => `(?:${c}|\\\\u${escaped(c)})`).join('')}"`;
}

const EMAIL = new RegExp(`${keyPattern('email')}\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'g');
const SERIAL = new RegExp(`${keyPattern('serialNumber')}\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'g');

/** Whether a quarantined line names `email`, under an email key or anywhere in it (that customer's consent is then uncertain). */
export function namesEmail(raw: string, email: string): boolean {
  if (readEmails(raw).has(email)) return true;
  const search = new NamedAddresses();
  search.keep(raw, null);
  return !search.named([email], [email]).next().done;
}

/** Whether a quarantined line names the device of `serialNumber` under its serialNumber key (its customers are then uncertain). */
export const namesDevice = (raw: string, serialNumber: string): boolean => readDevices(raw).has(deviceOf(serialNumber));

/** The strings under a key (`pattern`'s one group), each with its JSON escapes decoded, or as written when they are not valid JSON. */
function readUnder(pattern: RegExp, raw: string, into: Set<string>): Set<string> {
  for (const match of raw.matchAll(pattern)) {
    try {
      into.add(JSON.parse(`"${match[1]}"`) as string);
    } catch {
      into.add(match[1]);
    }
  }
  return into;
}

export const readEmails = (raw: string, into = new Set<string>()): Set<string> => readUnder(EMAIL, raw, into);

/** The devices (serial-spelling.ts) a bad line names under its serialNumber key. */
export const readDevices = (raw: string, into = new Set<string>()): Set<string> => {
  for (const serial of readUnder(SERIAL, raw, new Set())) into.add(deviceOf(serial));
  return into;
};
