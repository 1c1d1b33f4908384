import { decodedText, mayDecode } from './address-text';
import { KEPT_TEXT_BUDGET } from './named-addresses';
import { deviceOf } from './serial-spelling';

/**
 * Devices follow consent, and doubt hides however a bad line writes a serial:
 * a quarantined customer line names every accepted device (serial-spelling.ts)
 * whose spelling appears anywhere in the line's spelling (every character
 * outside visible ASCII dropped, ASCII case aside, then a UUID's hyphens,
 * braces and `urn:uuid:` dropped, as deviceOf does), under whatever key
 * (`SerialNumber`, `serialnumber`, `" serialNumber"`), in a line that is not
 * JSON at all (`serial=…`, a Python dict), or once its URL percent-encoding,
 * escapes and character references are decoded (named-addresses.ts) and the
 * escapes of what the spelling drops that decoding leaves as written are
 * dropped too (INVISIBLE_ESCAPES). Which devices are accepted is known
 * only once all of landing is read, so the bad lines' spellings are kept
 * (within a budget) and searched at the end. A device of no characters is
 * named by no line (every line holds it).
 */

/**
 * Escapes of characters the spelling drops that decoding leaves as written, dropped from the decoded text: a
 * backslash escape of a control or a space (`\r`, `\n`, `\t`, `\f`, `\v`, `\0`, `\ `, an octal `\015`), a
 * percent-encoded control, space, DEL or byte that starts no UTF-8 character (`%0D`, `%20`, a Latin-1 `%A0`), an old
 * JavaScript escape() `%u200B` (only ever beyond Latin-1), and a named character reference other than those of
 * an address's characters (`&nbsp;`, `&shy;`, `&ZeroWidthSpace;`). One pattern for JavaScript, Trino and RE2.
 */
export const INVISIBLE_ESCAPES = String.raw`\\+(?:[0-3][0-7]{2}|[0abefnrtv ])|%(?:[01][0-9a-fA-F]|20|7[fF]|[89a-fA-F][0-9a-fA-F])|%u[0-9a-fA-F]{4}|&[A-Za-z][A-Za-z0-9]{0,31};`;
const INVISIBLE = new RegExp(INVISIBLE_ESCAPES, 'g');

/** `text` as the search reads it: spelled as written, and spelled once decoded when that differs. */
export function deviceSpellings(text: string): string[] {
  const spelled = deviceOf(text);
  const decoded = decodedSpelling(text);
  return decoded === undefined ? [spelled] : [spelled, decoded];
}

/** `text` spelled once decoded, when that may differ from its spelling as written (undefined when it does not). */
export function decodedSpelling(text: string): string | undefined {
  if (!mayDecode(text)) return undefined;
  const decoded = deviceOf(decodedText(text).replace(INVISIBLE, ''));
  return decoded === deviceOf(text) ? undefined : decoded;
}

/** Windows the search may look at: the kept text once per distinct device length (a second or so at this bound). */
export const DEVICE_SEARCH_BUDGET = 2e8;

/** When the line that names a device was written (null when unknown) and the emails under its email key. */
export interface DeviceDoubt {
  readonly date: number | null;
  readonly writers: readonly string[];
  /** The line is its one writer's valid record (keys beyond the declared fields): no record of theirs supersedes it. */
  readonly accepted?: true;
}

/** Beyond the budgets every accepted device counts as named by a line no record supersedes. */
const ANY_LINE: DeviceDoubt = { date: null, writers: [] };

export class NamedDevices {
  private readonly lines: Array<{ text: string; doubt: DeviceDoubt }> = [];
  // Private: each spelling a valid record claims (claim()), with its writers.
  private readonly claimed = new Map<string, string[]>();
  private kept = 0;
  private overBudget = false;

  constructor(
    private readonly budget = KEPT_TEXT_BUDGET,
    private readonly searchBudget = DEVICE_SEARCH_BUDGET,
  ) {}

  /** Whether a search may name a device: some text is kept, or more was given than kept. */
  get holdsText(): boolean {
    return this.overBudget || this.lines.length > 0;
  }

  /** More text than the budget was given elsewhere (a line too long to keep): every accepted device counts as named. */
  overflow(): void {
    this.overBudget = true;
    this.lines.length = 0;
    this.claimed.clear();
  }

  /** A bad line's spellings (deviceSpellings), or those of pieces of one too long to hold. */
  keep(spellings: readonly string[], doubt: DeviceDoubt): void {
    if (this.overBudget) return;
    for (const text of spellings) this.kept += text.length;
    if (this.kept > this.budget) return this.overflow();
    for (const text of spellings) this.lines.push({ text, doubt });
  }

  /**
   * A valid record's claim (`writer`'s, whatever its date: consent-doubt.ts claimedBeyond) on the devices its spellings
   * hold. A spelling already claimed is kept once, with at most two writers: a second writer's claim is live for every
   * holder, so a third changes nothing (a producer's `"source":"app"` on every record costs its text once).
   */
  claim(spellings: readonly string[], writer: string): void {
    if (this.overBudget) return;
    for (const text of spellings) {
      const writers = this.claimed.get(text);
      if (writers !== undefined) {
        if (writers.length < 2 && !writers.includes(writer)) writers.push(writer);
        continue;
      }
      this.kept += text.length;
      if (this.kept > this.budget) return this.overflow();
      const claim = [writer];
      this.claimed.set(text, claim);
      this.lines.push({ text, doubt: { date: null, writers: claim, accepted: true } });
    }
  }

  /** Each of `devices` a kept line holds, with that line's doubt (once per line). */
  *named(devices: Iterable<string>): Generator<[device: string, doubt: DeviceDoubt]> {
    if (!this.holdsText) return;
    const byLength = new Map<number, Set<string>>();
    for (const device of devices) {
      if (device.length === 0) continue;
      const alike = byLength.get(device.length);
      if (alike) alike.add(device);
      else byLength.set(device.length, new Set([device]));
    }
    if (this.overBudget || byLength.size * this.kept > this.searchBudget) {
      for (const alike of byLength.values()) for (const device of alike) yield [device, ANY_LINE];
      return;
    }
    // Each window of each device length, by a rolling hash (Rabin-Karp): linear in the kept text for a landing's few
    // serial lengths, and a window is cut out and looked up only when its hash may be a device's.
    const searches = [...byLength].map(([length, alike]) => new WindowSearch(length, alike));
    for (const { text, doubt } of this.lines) {
      const found = new Set<string>();
      for (const search of searches) search.within(text, found);
      for (const device of found) yield [device, doubt];
    }
  }
}

/**
 * A text's hash as WindowSearch rolls it (32 bits, wrapping). Products stay below 2^53, so `| 0` wraps them exactly
 * as Math.imul would (Math.imul ran 40 times slower under Jest's module sandbox).
 */
const BASE = 131;
function hashOf(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (hash * BASE + text.charCodeAt(i)) | 0;
  return hash;
}

/** The devices of one length found in a text, each window's hash rolled from the last. */
class WindowSearch {
  // Private: low bits of the devices' hashes, a cheap first test before the hashes themselves.
  private readonly filter = new Uint8Array(1 << 16);
  private readonly hashes = new Set<number>();
  // Private: BASE^(length - 1), to take a window's first character out of its hash.
  private readonly high: number;

  constructor(
    private readonly length: number,
    private readonly devices: ReadonlySet<string>,
  ) {
    for (const device of devices) {
      const hash = hashOf(device);
      this.hashes.add(hash);
      this.filter[hash & 0xffff] = 1;
    }
    let high = 1;
    for (let i = 1; i < length; i += 1) high = (high * BASE) | 0;
    this.high = high;
  }

  within(text: string, found: Set<string>): void {
    const { length, high, filter, hashes, devices } = this;
    if (text.length < length) return;
    let hash = 0;
    for (let i = 0; i < length - 1; i += 1) hash = (hash * BASE + text.charCodeAt(i)) | 0;
    for (let i = length - 1, first = 0; i < text.length; i += 1, first += 1) {
      hash = (hash * BASE + text.charCodeAt(i)) | 0;
      if (filter[hash & 0xffff] !== 0 && hashes.has(hash)) {
        const window = text.slice(first, i + 1);
        if (devices.has(window)) found.add(window);
      }
      hash = (hash - text.charCodeAt(first) * high) | 0;
    }
  }
}
