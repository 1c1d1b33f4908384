/**
 * Doubt hides, however a bad line writes an address: a quarantined customer
 * line names every customer whose accepted email appears anywhere in it (ASCII
 * letters in either case), whatever quotes, keys or punctuation surround it
 * (`email=a@b&…`, `**a@b**`, `'email': 'a@b'`, `a@b.` at a sentence's end), and once its NULs are
 * dropped (a line written as UTF-16 holds a NUL beside each ASCII character).
 * Which emails are accepted is known only once all of landing is read, so the
 * bad lines that hold an `@` are kept (within a budget) and searched at the end.
 */

/** ASCII letters folded to lower case, as Trino's translate() folds them for the Athena view. */
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const foldAscii = (text: string): string => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/** Text kept for the search; beyond it every accepted customer counts as named (a landing of that much garbage proves nothing). */
export const KEPT_TEXT_BUDGET = 64 * 1024 * 1024;

/** Local parts longer than this are searched for whole, not looked up by each `@` of a line. */
const LOOKED_UP_LOCAL = 256;

export class NamedAddresses {
  private readonly lines: Array<{ text: string; lastUpdateDate: number | null }> = [];
  private kept = 0;
  private overBudget = false;

  constructor(private readonly budget = KEPT_TEXT_BUDGET) {}

  /** A bad line's text (or a piece of one too long to hold) and its own date, null when unknown. */
  keep(text: string, lastUpdateDate: number | null): void {
    if (!text.includes('@') || this.overBudget) return;
    // Read without its NULs too: text written as UTF-16 (Windows PowerShell 5's default) reads as UTF-8 with a NUL beside each ASCII letter.
    const unpadded = text.includes('\0') ? text.replaceAll('\0', '') : undefined;
    this.kept += text.length + (unpadded?.length ?? 0);
    if (this.kept > this.budget) {
      this.overBudget = true;
      this.lines.length = 0;
      return;
    }
    this.lines.push({ text: foldAscii(text), lastUpdateDate });
    if (unpadded !== undefined) this.lines.push({ text: foldAscii(unpadded), lastUpdateDate });
  }

  /** Each accepted email some kept line holds, with the date of every line holding it. */
  *named(accepted: Iterable<string>): Generator<[email: string, lastUpdateDate: number | null]> {
    const index = new AddressIndex(accepted);
    if (this.overBudget) {
      for (const email of index.emails()) yield [email, null];
      return;
    }
    for (const line of this.lines) for (const email of index.within(line.text)) yield [email, line.lastUpdateDate];
  }
}

/** Accepted emails holding an `@`, by their folded local part (the text before the first `@`). */
class AddressIndex {
  // Private: folded local part -> its accepted emails by folded rest (after the `@`), and the lengths of those rests.
  private readonly byLocal = new Map<string, Rests>();
  private readonly long: Array<[folded: string, email: string]> = [];
  private longestLocal = 0;

  constructor(accepted: Iterable<string>) {
    for (const email of accepted) {
      const folded = foldAscii(email);
      const at = folded.indexOf('@');
      if (at < 0) continue;
      if (at > LOOKED_UP_LOCAL) {
        this.long.push([folded, email]);
        continue;
      }
      const local = folded.slice(0, at);
      this.longestLocal = Math.max(this.longestLocal, at);
      let rests = this.byLocal.get(local);
      if (!rests) this.byLocal.set(local, (rests = { emails: new Map(), lengths: [] }));
      const rest = folded.slice(at + 1);
      const emails = rests.emails.get(rest);
      if (emails) emails.push(email);
      else rests.emails.set(rest, [email]);
    }
    for (const rests of this.byLocal.values()) rests.lengths = [...new Set([...rests.emails.keys()].map((r) => r.length))].sort((a, b) => a - b);
  }

  *emails(): Generator<string> {
    for (const rests of this.byLocal.values()) for (const emails of rests.emails.values()) yield* emails;
    for (const [, email] of this.long) yield email;
  }

  /** The accepted emails `text` (folded) holds: each is found at its first `@`, so every `@` of the text is tried. */
  *within(text: string): Generator<string> {
    for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
      for (let length = 0; length <= Math.min(at, this.longestLocal); length += 1) {
        const rests = this.byLocal.get(text.slice(at - length, at));
        if (rests) yield* restsAt(rests, text, at + 1);
      }
    }
    for (const [folded, email] of this.long) if (text.includes(folded)) yield email;
  }
}

interface Rests {
  emails: Map<string, string[]>;
  /** The distinct lengths of the rests, ascending. */
  lengths: number[];
}

/**
 * The emails whose rest `text` holds at `from`. Many rests of few lengths (one local part at many domains, a
 * hostile landing's thousands of respellings) are looked up by each length: tried one by one, every bad line
 * holding that local part's `@` cost a step per accepted email.
 */
function* restsAt(rests: Rests, text: string, from: number): Generator<string> {
  if (rests.lengths.length < rests.emails.size) {
    for (const length of rests.lengths) {
      if (from + length > text.length) return;
      const emails = rests.emails.get(text.slice(from, from + length));
      if (emails) yield* emails;
    }
    return;
  }
  for (const [rest, emails] of rests.emails) if (text.startsWith(rest, from)) yield* emails;
}
