import { TABLES, type Source } from '../../etl/tables';

/**
 * A plain reference for the landing rules, written independently of
 * etl/landing/: JSON.parse decides the syntax, a small tokenizer over the
 * (then valid) text finds duplicate keys, and a walk finds what JSON.parse
 * lets through (1e309 as Infinity, lone surrogates, deep nesting).
 */

export type RefValue = string | number | null;
/** A quarantined line's `date`: its own top-level lastUpdateDate (in milliseconds) when it is strict JSON refused only for a field's value. */
/** `beyond`: an accepted line's members beyond the declared fields, as JSON, when it has any (they may name a device or an address). */
export type RefLine = { kind: 'blank' } | { kind: 'quarantined'; raw: string; date?: number | null } | { kind: 'accepted'; values: Record<string, RefValue>; beyond?: string };

const MAX_BYTES = 1024 * 1024;
const MAX_DEPTH = 64;
// A customer date is epoch milliseconds: below 10^11 (1973-03-03), it was written in seconds.
const LEAST_DATE = 1e11;
const isDate = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= LEAST_DATE;

// With the u flag a paired surrogate is one code point; only a lone one is \p{Cs}.
const wellFormed = (text: string): boolean => !/\p{Cs}/u.test(text);

function hasDuplicateKeys(text: string): boolean {
  const frames: Array<{ keys: Set<string> | null; expectKey: boolean }> = [];
  for (const [token] of text.matchAll(/"(?:[^"\\]|\\.)*"|[{}[\]:,]|[^\s"{}[\]:,]+/g)) {
    const top = frames[frames.length - 1];
    if (token === '{') frames.push({ keys: new Set(), expectKey: true });
    else if (token === '[') frames.push({ keys: null, expectKey: false });
    else if (token === '}' || token === ']') frames.pop();
    else if (token === ',') {
      if (top?.keys) top.expectKey = true;
    } else if (token.startsWith('"') && top?.keys && top.expectKey) {
      const key = JSON.parse(token) as string;
      if (top.keys.has(key)) return true;
      top.keys.add(key);
      top.expectKey = false;
    }
  }
  return false;
}

/** Depth of containers (a top-level object is 1); false when a number is not finite or a string not well formed. */
function walk(value: unknown): number | false {
  if (typeof value === 'number') return Number.isFinite(value) ? 0 : false;
  if (typeof value === 'string') return wellFormed(value) ? 0 : false;
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const [key, child] of Object.entries(value)) {
    if (!wellFormed(key)) return false;
    const d = walk(child);
    if (d === false) return false;
    deepest = Math.max(deepest, d);
  }
  return deepest + 1;
}

export function referenceLine(bytes: Buffer, source: Source): RefLine {
  const body = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return { kind: 'quarantined', raw: body.toString() };
  }
  if (/^[ \t\r]*$/.test(text)) return { kind: 'blank' };
  const bad = { kind: 'quarantined', raw: text } as const;
  if (body.length > MAX_BYTES) return bad;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return bad;
  }
  const depth = walk(value);
  if (depth === false || depth > MAX_DEPTH || hasDuplicateKeys(text)) return bad;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return bad;
  const values: Record<string, RefValue> = {};
  // Strict JSON refused for a field: its own date is known, as a whole number, or not at all.
  const date = (value as Record<string, unknown>).lastUpdateDate;
  const fieldBad = { ...bad, date: isDate(date) ? (date as number) : null };
  for (const column of TABLES[`${source}_landing`].columns) {
    const v = (value as Record<string, unknown>)[column.name];
    if (v === undefined || v === null) {
      if (column.required) return fieldBad;
      values[column.name] = null;
    } else if (column.type === 'VARCHAR' ? typeof v === 'string' && Buffer.byteLength(v) <= (column.maxBytes ?? Infinity) : column.type === 'DOUBLE' ? typeof v === 'number' : column.epochMs ? isDate(v) : Number.isSafeInteger(v)) {
      // Both engines store one zero: -0.0 is 0.
      values[column.name] = typeof v === 'number' ? v + 0 : (v as RefValue);
    } else return fieldBad;
  }
  // A top-level key respelling a declared field's (ASCII case, what is not a letter or digit aside): which did it mean?
  const declared = TABLES[`${source}_landing`].columns.map((c) => c.name);
  const spelling = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (Object.keys(value as object).some((key) => !declared.includes(key) && declared.some((name) => spelling(name) === spelling(key.replace(/[^\x00-\x7f]/g, ''))))) return bad;
  // Only the members beyond the declared fields are searched (strict-record.ts lastBeyondText): the declared ones are the writer's own.
  const beyond = Object.entries(value as object).filter(([key]) => !declared.includes(key));
  return beyond.length > 0 ? { kind: 'accepted', values, beyond: JSON.stringify(Object.fromEntries(beyond)) } : { kind: 'accepted', values };
}

/** Splits a file's bytes into lines exactly as a producer wrote them between \n. */
export function splitLines(file: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let at = 0;
  for (;;) {
    const next = file.indexOf(0x0a, at);
    if (next < 0) break;
    lines.push(file.subarray(at, next));
    at = next + 1;
  }
  if (at < file.length) lines.push(file.subarray(at));
  return lines;
}

const foldAscii = (text: string): string => text.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** A JSON string token's text, or the token as written when its escapes are not JSON. */
function decoded(token: string): string {
  try {
    return JSON.parse(`"${token}"`) as string;
  } catch {
    return token;
  }
}

/**
 * What a quarantined line names: every string token followed by a colon is a
 * key (tried from each quote, so a typo before it cannot hide it), read with
 * its escapes: the emails of every `email` key holding a string.
 */
function namedInRaw(raw: string): string[] {
  const emails: string[] = [];
  const pair = /"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"/y;
  for (let at = raw.indexOf('"'); at >= 0; at = raw.indexOf('"', at + 1)) {
    pair.lastIndex = at;
    const m = pair.exec(raw);
    if (m && decoded(m[1]) === 'email') emails.push(decoded(m[2]));
  }
  return emails;
}

/** The serials a bad line holds under a serialNumber key (its escapes decoded). */
function serialsInRaw(raw: string): string[] {
  const serials: string[] = [];
  const pair = /"((?:[^"\\]|\\.)*)"\s*:\s*"((?:[^"\\]|\\.)*)"/y;
  for (let at = raw.indexOf('"'); at >= 0; at = raw.indexOf('"', at + 1)) {
    pair.lastIndex = at;
    const m = pair.exec(raw);
    if (m && decoded(m[1]) === 'serialNumber') serials.push(decoded(m[2]));
  }
  return serials;
}

/**
 * `text` with each UTF-8 character written as %XX (controls and the space aside) read, and any other %XX (a byte no
 * character starts or completes there, or one spelling U+FFFD) left as written alone.
 */
function unpercent(text: string): string {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return text.replace(/(?:%(?!(?:[01][0-9a-fA-F]|20))[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    let out = '';
    for (let i = 0; i < bytes.length; ) {
      // The shortest sequence from here that is one character (the fatal decoder refuses overlongs and surrogates).
      let read: string | undefined;
      for (let length = 1; length <= 4 && i + length <= bytes.length && read === undefined; length += 1) {
        try {
          const decoded = utf8.decode(bytes.subarray(i, i + length));
          if ([...decoded].length === 1 && decoded !== '\uFFFD') read = decoded;
          else if (decoded === '\uFFFD') break;
        } catch {
          // Not (yet) a whole character.
        }
        if (read !== undefined) i += length;
      }
      if (read === undefined) {
        out += run.slice(i * 3, i * 3 + 3);
        i += 1;
      } else out += read;
    }
    return out;
  });
}

/** The characters an address may hold, as HTML names them (`&commat;`). */
const NAMED: Record<string, string> = { commat: '@', period: '.', lowbar: '_', amp: '&', apos: "'", plus: '+', excl: '!', num: '#', dollar: '$', percnt: '%', ast: '*', sol: '/', equals: '=', quest: '?', Hat: '^', grave: '`', lbrace: '{', rbrace: '}', verbar: '|' };

/** `text` with each HTML or XML character reference read as its character (nothing up to U+0020), else left as written. */
function unreference(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    // Text up to the next & is copied whole: a reference starts at an &, and a character at a time made lines of 1 MiB
    // most of the property tests' time.
    if (text[i] !== '&') {
      const next = text.indexOf('&', i);
      out += text.slice(i, next < 0 ? text.length : next);
      i = next < 0 ? text.length : next;
      continue;
    }
    const rest = text.slice(i, i + 20);
    const numeric = /^&#(?:[xX]0*([0-9a-fA-F]{1,6})|0*([0-9]{1,7}));?/.exec(rest);
    const named = /^&([A-Za-z]+);/.exec(rest);
    if (numeric) {
      const code = numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10);
      out += code <= 0x20 ? '' : code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? numeric[0] : String.fromCodePoint(code);
      i += numeric[0].length;
    } else if (named && Object.hasOwn(NAMED, named[1])) {
      out += NAMED[named[1]];
      i += named[0].length;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

/** One escape's code point and where it ends, at `at` (just past its backslashes), or null when none starts there. */
function escapeAt(text: string, at: number): { code: number; end: number } | null {
  const hexAt = (from: number, digits: number): number | null => (new RegExp(`^[0-9a-fA-F]{${digits}}`).test(text.slice(from, from + digits)) ? parseInt(text.slice(from, from + digits), 16) : null);
  const braced = /^[xu]\{([0-9a-fA-F]{1,6})\}/.exec(text.slice(at, at + 10));
  if (braced) return { code: parseInt(braced[1], 16), end: at + braced[0].length };
  const kind = text[at];
  const code = kind === 'u' ? hexAt(at + 1, 4) : kind === 'x' ? hexAt(at + 1, 2) : kind === 'U' ? hexAt(at + 1, 8) : null;
  if (code === null) return null;
  const end = at + 1 + (kind === 'u' ? 4 : kind === 'x' ? 2 : 8);
  if (kind === 'u' && code >= 0xd800 && code <= 0xdbff) {
    let next = end;
    while (text[next] === '\\') next += 1;
    const low = next > end && text[next] === 'u' ? hexAt(next + 1, 4) : null;
    if (low !== null && low >= 0xdc00 && low <= 0xdfff) return { code: 0x10000 + (code - 0xd800) * 0x400 + (low - 0xdc00), end: next + 5 };
  }
  return { code, end };
}

/** `text` with each escape read as its character (nothing up to U+0020), or left as written when it names none. */
function unescape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; ) {
    // Text up to the next backslash is copied whole, as in unreference.
    if (text[i] !== '\\') {
      const next = text.indexOf('\\', i);
      out += text.slice(i, next < 0 ? text.length : next);
      i = next < 0 ? text.length : next;
      continue;
    }
    let at = i;
    while (text[at] === '\\') at += 1;
    const escape = escapeAt(text, at);
    if (!escape) out += text.slice(i, at);
    else if (escape.code > 0x10ffff || (escape.code >= 0xd800 && escape.code <= 0xdfff)) out += text.slice(i, escape.end);
    else if (escape.code > 0x20) out += String.fromCodePoint(escape.code);
    i = escape ? escape.end : at;
  }
  return out;
}

interface Customer {
  email: string;
  serialNumber: string;
  lastUpdateDate: number;
  consent: number | null;
  position: number;
}

/**
 * Consent from the customer lines in landing order: the freshest records of
 * each email (a tie: any without consent wins), hidden while a quarantined
 * line naming the email is not followed by a strictly newer valid record.
 */
export function referenceConsent(lines: RefLine[]): { consenting: Set<string>; unsafeSerials: Set<string>; trusted: Set<string>; uncertain: Set<string> } {
  const records: Customer[] = [];
  const doubts: Array<{ email: string; updated: number | null; position: number }> = [];
  const bad: Array<{ raw: string; updated: number | null; position: number }> = [];
  const beyond: Array<{ raw: string; writer: string; updated: number; position: number }> = [];
  lines.forEach((line, position) => {
    if (line.kind === 'accepted') {
      const v = line.values;
      if (line.beyond !== undefined) beyond.push({ raw: line.beyond, writer: v.email as string, updated: v.lastUpdateDate as number, position });
      records.push({ email: v.email as string, serialNumber: v.serialNumber as string, lastUpdateDate: v.lastUpdateDate as number, consent: v.shareWithResearchAsOfDate as number | null, position });
    } else if (line.kind === 'quarantined') {
      const updated = line.date ?? null;
      for (const email of namedInRaw(line.raw)) doubts.push({ email, updated, position });
      bad.push({ raw: line.raw, updated, position });
    }
  });
  // An email's spelling: case, invisible characters and Unicode forms aside.
  const invisible = /[\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800\u{16fe4}\u{1d159}]/gu;
  // Each character lowered alone (no final sigma), İ as i; ASCII other than A-Z is its own lower case. Not a spread and
  // join: the lines over 1 MiB the property tests write made that most of their time.
  const lowerEach = (text: string): string => text.replace(/[^\0-@[-\x7f]/gu, (c) => (c === '\u0130' ? 'i' : c.toLowerCase()));
  const spelling = (email: string): string => lowerEach(email.replace(invisible, '').normalize('NFKC').replace(invisible, ''));
  // A valid record's text beyond its declared fields names emails as a bad line does, never its writer (by spelling).
  for (const line of beyond) for (const email of namedInRaw(line.raw)) if (spelling(email) !== spelling(line.writer)) doubts.push({ email, updated: line.updated, position: line.position });
  // An email under the key names every accepted spelling of it too.
  for (const d of [...doubts]) for (const r of records) if (r.email !== d.email && spelling(r.email) === spelling(d.email)) doubts.push({ ...d, email: r.email });
  // Every accepted email a bad line holds anywhere: as written with an @ (ASCII letters in either case), or its spelling
  // with an @ within the whole line's spelling (which drops NULs: a line written as UTF-16).
  const searchedText: Array<{ raw: string; updated: number | null; position: number; writer?: string }> = [...bad, ...beyond];
  for (const line of searchedText) {
    const written = foldAscii(line.raw);
    // Its URL percent-encoding, then its escapes (JSON's, Python's, Rust's, Perl's; a run of backslashes as one), then its
    // character references (`&#64;`) are read as the characters they name first.
    const unescaped = unreference(unescape(unpercent(line.raw)));
    const spelled = spelling(unescaped);
    // Or both spellings decomposed: a mark right after the email garbles its last letter, not the email.
    const apart = spelled.normalize('NFD');
    const holds = (email: string): boolean =>
      (email.includes('@') && written.includes(foldAscii(email))) ||
      (spelling(email).includes('@') && (spelled.includes(spelling(email)) || apart.includes(spelling(email).normalize('NFD'))));
    const writer = line.writer === undefined ? undefined : spelling(line.writer);
    for (const r of records) if (spelling(r.email) !== writer && holds(r.email)) doubts.push({ email: r.email, updated: line.updated, position: line.position });
  }
  // A device named under a bad line's serialNumber key: every customer whose freshest records name it is in doubt.
  const device = (serial: string): string => serial.replace(/[ \t]/g, '').replace(/[A-Z]/g, (c) => c.toLowerCase());
  const newestOf = new Map<string, number>();
  for (const r of records) newestOf.set(r.email, Math.max(newestOf.get(r.email) ?? -Infinity, r.lastUpdateDate));
  // Another writer's line makes the device ambiguous, however old: only a line whose every writer (email under its key)
  // is the holder is superseded, by the holder's newer valid record.
  for (const line of bad) {
    const writers = namedInRaw(line.raw);
    // A writer's record: under the address as written, or its spelling when one accepted email alone has it.
    const lone = (w: string): string[] => [...new Set(records.filter((r) => spelling(r.email) === spelling(w)).map((r) => r.email))];
    const newerOf = (w: string): boolean => records.some((r) => (r.email === w || (lone(w).length === 1 && r.email === lone(w)[0])) && r.lastUpdateDate > line.updated!);
    const superseded = line.updated !== null && writers.length > 0 && writers.every(newerOf);
    const holdersOwn = (email: string): boolean => superseded && writers.every((w) => w === email || (lone(w).length === 1 && lone(w)[0] === email));
    const named = new Set(serialsInRaw(line.raw).map(device));
    // Or a device whose spelling stands anywhere in the line's, as written or once decoded (named-devices.ts): a value
    // cut short, another key, a line that is not JSON.
    const lineSpellings = [device(line.raw), device(unreference(unescape(unpercent(line.raw))))];
    const anywhere = (serial: string): boolean => device(serial).length > 0 && lineSpellings.some((text) => text.includes(device(serial)));
    for (const r of records) {
      if (holdersOwn(r.email)) continue;
      if (r.lastUpdateDate === newestOf.get(r.email) && (named.has(device(r.serialNumber)) || anywhere(r.serialNumber))) doubts.push({ email: r.email, updated: null, position: line.position });
    }
  }
  // A valid record's text beyond its declared fields: a device it names is its writer's claim, so every other customer
  // whose freshest records name it is in doubt, whatever the dates.
  for (const line of beyond) {
    const named = new Set(serialsInRaw(line.raw).map(device));
    const lineSpellings = [device(line.raw), device(unreference(unescape(unpercent(line.raw))))];
    const anywhere = (serial: string): boolean => device(serial).length > 0 && lineSpellings.some((text) => text.includes(device(serial)));
    for (const r of records) {
      if (r.email !== line.writer && r.lastUpdateDate === newestOf.get(r.email) && (named.has(device(r.serialNumber)) || anywhere(r.serialNumber))) doubts.push({ email: r.email, updated: null, position: line.position });
    }
  }
  const uncertain = new Set(
    doubts
      .filter((d) => !records.some((r) => r.email === d.email && d.updated !== null && r.lastUpdateDate > d.updated))
      .map((d) => d.email),
  );
  // Two accepted spellings of one address (case, invisible characters and Unicode forms aside): both in doubt, whatever their dates.
  for (const a of records) if (records.some((b) => b.email !== a.email && spelling(b.email) === spelling(a.email))) uncertain.add(a.email);
  // An accepted email holding another accepted address beside other text (a display name, mailto:, a trailing dot): both.
  const around = /[\t-\r "'(),:;<>[\]\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/u;
  const bySpelling = new Map<string, Set<string>>();
  for (const r of records) bySpelling.set(spelling(r.email), (bySpelling.get(spelling(r.email)) ?? new Set()).add(r.email));
  for (const a of new Set(records.map((r) => r.email))) {
    if (!around.test(a) && !a.endsWith('.')) continue;
    for (const part of a.split(around).filter((p) => p.includes('@'))) {
      for (const b of bySpelling.get(spelling(part).replace(/\.+$/, '')) ?? []) if (b !== a) uncertain.add(a).add(b);
    }
  }
  const newest = new Map<string, number>();
  for (const r of records) newest.set(r.email, Math.max(newest.get(r.email) ?? -Infinity, r.lastUpdateDate));
  const freshest = records.filter((r) => r.lastUpdateDate === newest.get(r.email));
  const consenting = new Set([...newest.keys()].filter((e) => !uncertain.has(e) && freshest.every((r) => r.email !== e || r.consent !== null)));
  // A serial's device: ASCII case and spaces or tabs aside (`50F7…` and ` 50f7…` name the device of `50f7…`).
  const unsafeDevices = new Set<string>();
  const sharedDevices = new Set<string>();
  // Every record claims its device, whatever its date: a device another customer named before may hold their readings.
  for (const r of records) {
    const owners = new Set(records.filter((o) => device(o.serialNumber) === device(r.serialNumber)).map((o) => o.email));
    if (owners.size > 1) sharedDevices.add(device(r.serialNumber));
    if (owners.size > 1 || !consenting.has(r.email)) unsafeDevices.add(device(r.serialNumber));
  }
  const unsafeSerials = new Set(freshest.filter((r) => unsafeDevices.has(device(r.serialNumber))).map((r) => r.serialNumber));
  // customer_trusted keeps one record per email (the smallest serialNumber on a tie) unless another email claims that serial.
  const trusted = new Set(
    [...consenting].filter((e) => {
      const serial = freshest.filter((r) => r.email === e).map((r) => r.serialNumber).sort()[0];
      return !sharedDevices.has(device(serial));
    }),
  );
  return { consenting, unsafeSerials, trusted, uncertain };
}
