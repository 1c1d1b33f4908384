/**
 * Doubt hides: a quarantined customer line whose email can still be read
 * from its raw text may be a revocation with a typo, so that customer's
 * consent is uncertain until the line is fixed or a newer valid record of
 * theirs arrives. The build and the consent registry both decide it here.
 */

const EMAIL = /"email"\s*:\s*"((?:[^"\\]|\\.)*)"/g;
// The whole number as written (a fraction or an exponent included): its leading digits alone read `1.7e12` as 1,
// which any valid record would then clear. What is not one number (`1-2`, `1.5`) makes the date unreadable.
const LAST_UPDATE = /"lastUpdateDate"\s*:\s*(-?[0-9][0-9eE.+-]*)/g;
const LAST_UPDATE_KEY = /"lastUpdateDate"\s*:/g;

interface Doubt {
  /** The bad line's lastUpdateDate when it reads as exactly one whole number; else null. */
  lastUpdateDate: number | null;
  /** Position in landing order (files by name, then lines). */
  position: number;
}

/** Whether a quarantined line still names an email (its customer's consent is then uncertain). */
export const namesEmail = (raw: string): boolean => raw.includes('"email"') && readEmails(raw).length > 0;

function readEmails(raw: string): string[] {
  const emails = new Set<string>();
  for (const match of raw.matchAll(EMAIL)) {
    try {
      emails.add(JSON.parse(`"${match[1]}"`) as string);
    } catch {
      emails.add(match[1]);
    }
  }
  return [...emails];
}

function readLastUpdate(raw: string): number | null {
  const numbers = [...raw.matchAll(LAST_UPDATE)];
  // A mention that holds no number (a string date, perhaps beside a nested number) makes the date unreadable.
  if (numbers.length !== [...raw.matchAll(LAST_UPDATE_KEY)].length) return null;
  const values = new Set(numbers.map((m) => Number(m[1])));
  if (values.size !== 1) return null;
  const [value] = values;
  return Number.isSafeInteger(value) ? value : null;
}

export class ConsentDoubt {
  private readonly doubts = new Map<string, Doubt[]>();
  /** Per email: the freshest accepted lastUpdateDate and the last accepted position. */
  private readonly valid = new Map<string, { lastUpdateDate: number; position: number }>();

  accepted(email: string, lastUpdateDate: number, position: number): void {
    const known = this.valid.get(email);
    if (!known) this.valid.set(email, { lastUpdateDate, position });
    else {
      known.lastUpdateDate = Math.max(known.lastUpdateDate, lastUpdateDate);
      known.position = position;
    }
  }

  quarantined(raw: string, position: number): void {
    if (!namesEmail(raw)) return;
    const emails = readEmails(raw);
    const doubt = { lastUpdateDate: readLastUpdate(raw), position };
    for (const email of emails) {
      const list = this.doubts.get(email) ?? [];
      list.push(doubt);
      this.doubts.set(email, list);
    }
  }

  /** Emails whose consent is uncertain, sorted. */
  uncertain(): string[] {
    const out: string[] = [];
    for (const [email, doubts] of this.doubts) {
      const valid = this.valid.get(email);
      const cleared = (d: Doubt): boolean =>
        valid !== undefined && (d.lastUpdateDate === null ? valid.position > d.position : valid.lastUpdateDate > d.lastUpdateDate);
      if (!doubts.every(cleared)) out.push(email);
    }
    return out.sort();
  }
}
