import { AT, decodedText, decomposedSpellingOf, foldAscii, mayNameAddress } from './address-text';
import { isAscii, spellingOf } from './email-spelling';
import { bareOf, maskedOf, maskedSpellingOf } from './beyond-ascii';
import { isPlainAddress, wholePattern, wholeText } from './whole-address';
import { AddressIndex } from './address-index';

/**
 * Doubt hides, however a bad line writes an address: a quarantined customer
 * line names every customer whose accepted email appears anywhere in it,
 * whatever quotes, keys or punctuation surround it (`email=a@b&…`, `**a@b**`,
 * `'email': 'a@b'`, `a@b.` at a sentence's end): as written (ASCII letters in
 * either case), or spelled otherwise, the email's spelling (email-spelling.ts:
 * case, invisible characters, NFKC) within the whole line's spelling
 * (`'ali\u200bce@ｔｅｓｔ.com'` names alice@test.com), its URL percent-encoding
 * (percent-encoded.ts: `email=alice%40test.com`), escapes (escaped-characters.ts:
 * Python writes `'ali\\u200bce@…'`, JSON `\\u0061`) and character references
 * (character-references.ts: `alice&#64;test.com`) decoded first, or
 * the email's spelling decomposed (NFD) within the line's, so a mark right after
 * the email cannot hide it by composing with its last letter.
 * The line's spelling drops its NULs, so a line written as UTF-16 (a NUL beside
 * each ASCII character) is read too.
 * Which emails are accepted is known only once all of landing is read, so the
 * bad lines that hold an `@` are kept (within a budget) and searched at the end.
 */

/** Text kept for the search; beyond it every accepted customer counts as named (a landing of that much garbage proves nothing). */
export const KEPT_TEXT_BUDGET = 64 * 1024 * 1024;
/**
 * Characters the search for whole emails (local parts over LOOKED_UP_LOCAL, address-index.ts) may scan: each such
 * email times the kept text. Beyond it every accepted customer counts as named, as beyond KEPT_TEXT_BUDGET: 5,000 of
 * them against 5,000 bad lines (a 4.7 MB landing) took 26 s of each build and of each consent refresh. About a second
 * at this bound.
 */
export const WHOLE_SEARCH_BUDGET = 1e9;

/** How a kept line's text is folded, and so which index of the accepted emails searches it. */
type Form = 'written' | 'spelled' | 'decomposed' | 'masked';
const WRITTEN: readonly Form[] = ['written'];
const SPELLED: readonly Form[] = ['spelled'];
const MASKED: readonly Form[] = ['masked'];
const DECOMPOSED: readonly Form[] = ['decomposed'];
const SPELLED_AND_DECOMPOSED: readonly Form[] = ['spelled', 'decomposed'];

/** Whose text a kept line is: its date (null when unknown), and for a valid record's, its writer's spelling. */
interface Source {
  lastUpdateDate: number | null;
  writer?: string;
}
type Claim = { lastUpdateDate: number; writer: string };
/** A kept text and its spelling, shared by its forms' lines (pushed one after another). */
type Kept = { text: string; spelled: string };

export class NamedAddresses {
  private readonly lines: Array<{ text: string; forms: readonly Form[]; source: Source; kept: Kept }> = [];
  /**
   * Per text a valid record gave (claimed()): the sources kept for it, at most two writers, the two of the latest
   * dates. An email is named by the latest of them that is not its own, which one of those two is.
   */
  private readonly claims = new Map<string, Claim[]>();
  private kept = 0;
  private overBudget = false;
  // Private: whether a kept line is masked (holds characters beyond ASCII), so the masked index is needed.
  private masks = false;

  constructor(
    private readonly budget = KEPT_TEXT_BUDGET,
    private readonly wholeSearchBudget = WHOLE_SEARCH_BUDGET,
  ) {}

  /**
   * A bad line's text (or a piece of one too long to hold) and its own date, null when unknown. `writer`: the spelling
   * of the valid record's own email, when the text is such a record's (consent-doubt.ts): it never names its writer.
   */
  keep(text: string, lastUpdateDate: number | null, writer?: string): void {
    if (this.overBudget) return;
    if (writer !== undefined && lastUpdateDate !== null) return this.claimed(text, { lastUpdateDate, writer });
    this.add(text, { lastUpdateDate, writer });
  }

  /**
   * A valid record's text: one already kept by other records (a producer's field on every record) is searched once,
   * for its two writers of the latest dates (each writer at their latest), not once per record.
   */
  private claimed(text: string, source: Claim): void {
    const sources = this.claims.get(text);
    if (sources === undefined) {
      // Most such text holds no address: neither kept nor remembered.
      if (!mayNameAddress(text)) return;
      this.claims.set(text, [source]);
      return this.add(text, source);
    }
    const same = sources.find((kept) => kept.writer === source.writer);
    if (same !== undefined) {
      same.lastUpdateDate = Math.max(same.lastUpdateDate, source.lastUpdateDate);
      return;
    }
    if (sources.length < 2) {
      sources.push(source);
      return this.add(text, source);
    }
    const older = sources[0].lastUpdateDate <= sources[1].lastUpdateDate ? sources[0] : sources[1];
    if (older.lastUpdateDate < source.lastUpdateDate) Object.assign(older, source);
  }

  // Private: keeps a text's spellings for the search, within the budget.
  private add(text: string, source: Source): void {
    const unescaped = decodedText(text);
    if (!AT.test(unescaped)) return;
    const spelled = spellingOf(unescaped);
    // Spelled whole, a mark right after an email composes with its last letter (`ａ@b.com` + U+0301 is `…coḿ`), so the
    // line is also searched decomposed (NFD) for each email's decomposed spelling: a mark then follows the letter it
    // garbles, outside the email, and an email's own marks must still be in the line (`jose@` is not named by `josé@`).
    const decomposed = isAscii(spelled) ? undefined : spelled.normalize('NFD');
    // Plain ASCII spells each character alone (drops or lower-cases it), so unless an escape was decoded its spelling
    // holds all the written text does.
    const written = isAscii(text) && unescaped === text ? undefined : foldAscii(text);
    const apart = decomposed !== undefined && decomposed !== spelled;
    // Beyond ASCII, runs read as any run (REPLACEMENT), and also as nothing (a garbled invisible character: beyond-ascii.ts).
    const masked = decomposed === undefined ? undefined : maskedOf(spelled);
    const bare = bareOf(spelled);
    this.kept += spelled.length + (apart ? decomposed.length : 0) + (written?.length ?? 0) + (masked?.length ?? 0) + (bare?.length ?? 0);
    if (this.kept > this.budget) {
      this.overBudget = true;
      this.lines.length = 0;
      this.claims.clear();
      return;
    }
    const kept: Kept = { text, spelled };
    // A line that is its own NFD (no composed letter) is searched once by each of the two spellings.
    this.lines.push({ text: spelled, forms: decomposed === undefined || apart ? SPELLED : SPELLED_AND_DECOMPOSED, source, kept });
    if (apart) this.lines.push({ text: decomposed, forms: DECOMPOSED, source, kept });
    if (written !== undefined) this.lines.push({ text: written, forms: WRITTEN, source, kept });
    if (masked !== undefined) this.lines.push({ text: masked, forms: MASKED, source, kept });
    if (bare !== undefined) this.lines.push({ text: bare, forms: SPELLED, source, kept });
    if (masked !== undefined) this.masks = true;
  }

  /**
   * Each email some kept line holds, with the date of every line holding it: of `written`, those a line holds as
   * written; of `spelled`, those whose spelling a line's spelling holds.
   */
  *named(written: readonly string[], spelled: readonly string[] = written): Generator<[email: string, lastUpdateDate: number | null]> {
    // No bad line holds an address (nearly every landing): nothing names anyone, and indexing every accepted email
    // three ways cost a 100× landing about 0.4 s of each build and consent refresh.
    if (!this.overBudget && this.lines.length === 0) return;
    const indexes: Record<Form, AddressIndex> = {
      written: new AddressIndex(written, foldAscii),
      spelled: new AddressIndex(spelled, spellingOf),
      decomposed: new AddressIndex(spelled, decomposedSpellingOf),
      // Only the emails beyond ASCII: an ASCII one is its own mask, found in the line's spelling already.
      masked: new AddressIndex(this.masks ? spelled.filter((email) => !isAscii(spellingOf(email))) : [], maskedSpellingOf),
    };
    const searchedWhole = indexes.written.searchedWhole + indexes.spelled.searchedWhole + indexes.decomposed.searchedWhole + indexes.masked.searchedWhole;
    if (this.overBudget || searchedWhole * this.kept > this.wholeSearchBudget) {
      yield* [...new Set([...indexes.written.emails(), ...indexes.spelled.emails()])].map((email): [string, null] => [email, null]);
      return;
    }
    const patterns = new Map<string, RegExp | null>();
    // Only where it is written whole (whole-address.ts): checked once an email is found, so a line naming none costs
    // nothing more; the texts read are kept for the last line only (its forms' lines follow one another).
    let last: { kept?: Kept; whole?: string } = {};
    const whole = (kept: Kept, email: string): boolean => {
      let pattern = patterns.get(email);
      if (pattern === undefined) {
        const folded = foldAscii(email);
        patterns.set(email, (pattern = isPlainAddress(folded) ? wholePattern(folded) : null));
      }
      if (pattern === null) return true;
      if (last.kept !== kept) last = { kept, whole: wholeText(kept.text, kept.spelled) };
      return last.whole === undefined || pattern.test(last.whole);
    };
    for (const line of this.lines) {
      for (const form of line.forms) {
        for (const email of indexes[form].within(line.text)) {
          if ((line.source.writer === undefined || spellingOf(email) !== line.source.writer) && whole(line.kept, email)) yield [email, line.source.lastUpdateDate];
        }
      }
    }
  }
}
