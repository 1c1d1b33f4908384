/**
 * The accepted emails a bad line's text may hold, looked up by each `@` of the text (named-addresses.ts searches
 * each kept line's forms with one index per fold).
 */

/** Local parts longer than this are searched for whole, not looked up by each `@` of a line. */
const LOOKED_UP_LOCAL = 256;

/** Accepted emails holding an `@` once folded (as written, or spelled), by their folded local part (the text before the first `@`). */
export class AddressIndex {
  // Private: folded local part -> its accepted emails by folded rest (after the `@`), and the lengths of those rests.
  private readonly byLocal = new Map<string, Rests>();
  private readonly long: Array<[folded: string, email: string]> = [];
  private longestLocal = 0;

  constructor(accepted: Iterable<string>, fold: (email: string) => string) {
    for (const email of accepted) {
      const folded = fold(email);
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

  /** Emails searched for whole in each line (their local part too long to look up). */
  get searchedWhole(): number {
    return this.long.length;
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
