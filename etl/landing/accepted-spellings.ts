import { displayedOf } from './bidi-display';
import { addressesWithin, spellingOf } from './email-spelling';
import { decodedText, mayDecode } from './address-text';

/**
 * The accepted emails by spelling (email-spelling.ts). Two of one spelling (`Ann@X.com`, `ann@x.com `,
 * `ａｎｎ@x.com`) are one address whose records cannot be told apart as one customer's or two, so a revocation
 * under one spelling could be lost to the other: each is in doubt until landing agrees on one spelling (no
 * date clears it).
 */
export function acceptedSpellings(emails: Iterable<string>): Map<string, string[]> {
  const spellings = new Map<string, string[]>();
  for (const email of emails) {
    const folded = spellingOf(email);
    const alike = spellings.get(folded);
    if (alike) alike.push(email);
    else spellings.set(folded, [email]);
  }
  return spellings;
}

/**
 * The accepted emails landing writes as one another, in doubt whatever the dates (consent-doubt.ts): two accepted
 * spellings of one address, and an accepted email that holds another accepted address beside other text (`Ann
 * <ann@x.com>`, `mailto:ann@x.com`, `ann@x.com.`), that address written another way.
 * A spelling others share hides them all: only the email holding it is added then (n of them made n² matches).
 * So does one that writes another's address percent-encoded or with escapes or references (`ann%40x.com`,
 * `ann&#64;x.com`), as the search reads a bad line: decoded, it is that address; and one drawn as it (bidi-display.ts).
 */
export function writtenAsAnother(spellings: Map<string, string[]>): Set<string> {
  const out = new Set<string>();
  for (const emails of spellings.values()) if (emails.length > 1) for (const email of emails) out.add(email);
  for (const emails of spellings.values()) {
    for (const email of emails) {
      for (const inner of [...addressesWithin(email), ...otherForms(email)]) {
        const alike = spellings.get(inner);
        if (alike === undefined || (alike.length === 1 && alike[0] === email)) continue;
        out.add(email);
        if (alike.length === 1) out.add(alike[0]);
      }
    }
  }
  return out;
}

// Private: the spellings an email reads as decoded, or drawn (bidi-display.ts), where they differ from its own.
function otherForms(email: string): string[] {
  const spelled = mayDecode(email) ? spellingOf(decodedText(email)) : undefined;
  const displayed = displayedOf(email);
  const drawn = displayed === undefined ? undefined : spellingOf(displayed);
  return [spelled, drawn].filter((form): form is string => form !== undefined && form !== spellingOf(email));
}
