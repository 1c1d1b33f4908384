import { acceptedSpellings, writtenAsAnother } from './accepted-spellings';
import { drawnLine } from './bidi-display';
import { startsCompressed } from './compressed-start';
import { deviceHoldersInDoubt } from './device-holders-doubt';
import { type EmailSerials, addSerial } from './email-serials';
import { spellingOf } from './email-spelling';
import { KEPT_TEXT_BUDGET, NamedAddresses } from './named-addresses';
import { type DeviceDoubt, NamedDevices, deviceSpellings } from './named-devices';
import { readDevices, readEmails } from './named-under-keys';
import type { OverlongEmails } from './overlong-line';

/**
 * Doubt hides: a quarantined customer line whose email can still be read
 * from its raw text may be a revocation with a typo, so that customer's
 * consent is uncertain until the line is fixed or a valid record of theirs
 * that is newer than the bad line's own date arrives. A bad line whose date
 * cannot be read is cleared only by fixing it: nothing can be shown newer
 * (landing order is no proof: a file named later may hold an older record).
 * A device the line names, under its serialNumber key or anywhere in it
 * (named-devices.ts), puts every customer whose freshest records name it in
 * doubt (devices follow consent, and a device any other email's record ever
 * named is ambiguous), until the line is fixed, or, when every email under its
 * key is that customer's own, they have a valid record newer than its date.
 * A valid record with keys beyond the declared fields is searched as a bad
 * line is for devices and for addresses other than its writer's (claimedBeyond).
 * The build and the consent registry both decide it here.
 */

export class ConsentDoubt {
  /** Per email named under an email key: each bad line's own lastUpdateDate, null when unknown (never cleared). */
  private readonly doubts = new Map<string, Array<number | null>>();
  /** Per email: the freshest accepted lastUpdateDate. */
  private readonly valid = new Map<string, number>();
  private readonly addresses: NamedAddresses;
  /** Per device a bad line names under its serialNumber key: each such line's own lastUpdateDate (null when unknown) and the emails under its email key. */
  private readonly deviceDoubts = new Map<string, DeviceDoubt[]>();
  /**
   * Per email: the serialNumber (a set only on a tie: one per email is the rule) its records at its freshest
   * lastUpdateDate name, as written: spelled as a device only when a bad line names one (rarely).
   */
  private readonly freshestSerials: EmailSerials = new Map();
  /**
   * Per email: every serialNumber its accepted records name, whatever their dates (a set only past the first): a kept
   * version may hold the customer on a device they have since left, which a bad line may name (heldInDoubt).
   */
  private readonly everySerial: EmailSerials = new Map();
  private held: Array<{ email: string; device: string }> = [];
  /** The bad lines' text, searched for every accepted device once landing is read. */
  private readonly devicesAnywhere: NamedDevices;
  /** Whether a bad line starts as a compressed file does (compressed-start.ts): no record in it can be read, so it names everyone. */
  private compressed = false;

  /** `keptText`: the text each search keeps at most (named-addresses.ts KEPT_TEXT_BUDGET); beyond it everyone is named. */
  constructor(keptText = KEPT_TEXT_BUDGET) {
    this.addresses = new NamedAddresses(keptText);
    this.devicesAnywhere = new NamedDevices(keptText);
  }

  /** A valid record; `beyondDeclared`: its members beyond the declared fields, when it has any (strict-record.ts lastBeyondText). */
  accepted(email: string, lastUpdateDate: number, serialNumber?: string, beyondDeclared?: string): void {
    if (beyondDeclared !== undefined) this.claimedBeyond(beyondDeclared, email, lastUpdateDate);
    if (serialNumber !== undefined) addSerial(this.everySerial, email, serialNumber);
    const known = this.valid.get(email);
    if (known === undefined || lastUpdateDate > known) {
      this.valid.set(email, lastUpdateDate);
      this.freshestSerials.delete(email);
    }
    if (serialNumber === undefined || (known !== undefined && lastUpdateDate < known)) return;
    addSerial(this.freshestSerials, email, serialNumber);
  }

  /**
   * A quarantined line within the size limit, with its own lastUpdateDate when it has one that was read: a line
   * is strict JSON read to its end only when refused for a field's value (isFieldReason); any other line's date
   * is unknown (`1,700,000,000,000`, a cut line, a nested copy are not its date).
   */
  quarantined(raw: string, lastUpdateDate: number | null): void {
    this.badLine(raw, lastUpdateDate);
    // A line a right-to-left override draws otherwise (bidi-display.ts) is also read as drawn, as another bad line (once).
    const drawn = drawnLine(raw);
    if (drawn !== undefined) this.badLine(drawn, lastUpdateDate);
  }

  // Private: what one bad line's text names.
  private badLine(raw: string, lastUpdateDate: number | null): void {
    if (startsCompressed(raw)) this.compressed = true;
    const emails = readEmails(raw);
    this.add(emails, lastUpdateDate);
    this.addDevices(readDevices(raw), lastUpdateDate, [...emails]);
    this.devicesAnywhere.keep(deviceSpellings(raw), { date: lastUpdateDate, writers: [...emails] });
    this.addresses.keep(raw, lastUpdateDate);
    // Decoded, an email under the key is searched as the raw text is (`ANN\u0040X.COM` is ann@x.com in other case).
    for (const email of emails) this.addresses.keep(email, lastUpdateDate);
  }

  /**
   * A valid record's keys beyond the declared fields (`"meta":{"serialNumber":…}`, `"previousSerialNumber"`, an
   * array) may name another device than its serialNumber: a claim of its writer's on it, searched as a bad line's
   * text is. Its writer's consent is known (the record is valid), so only the device's other holders are in doubt,
   * whatever the dates, as another email's record on the device, however old, makes it ambiguous.
   * An address it names (`"meta":{"email":…}`, `"previousEmail"`) other than its writer's own (by spelling) is in
   * doubt as a bad line's is, dated by the record: cleared by that customer's own newer valid record.
   */
  private claimedBeyond(raw: string, email: string, lastUpdateDate: number): void {
    this.claimedIn(raw, email, lastUpdateDate);
    // Read again as drawn when an override reorders it, as a bad line is (quarantined()).
    const drawn = drawnLine(raw);
    if (drawn !== undefined) this.claimedIn(drawn, email, lastUpdateDate);
  }

  // Private: the devices and addresses one text of a valid record's undeclared members names (claimedBeyond).
  private claimedIn(raw: string, email: string, lastUpdateDate: number): void {
    const claim: DeviceDoubt = { date: lastUpdateDate, writers: [email], accepted: true };
    for (const device of readDevices(raw)) this.addDevice(device, claim);
    this.devicesAnywhere.claim(deviceSpellings(raw), email);
    const writer = spellingOf(email);
    const named = [...readEmails(raw)];
    this.add(named.filter((other) => spellingOf(other) !== writer), lastUpdateDate);
    this.addresses.keep(raw, lastUpdateDate, writer);
    for (const other of named) this.addresses.keep(other, lastUpdateDate, writer);
  }

  /** A line over the size limit (`start`: its first bytes): every email it names is in doubt, and its date is not read. */
  quarantinedOverlong(named: OverlongEmails, start: string): void {
    if (startsCompressed(start)) this.compressed = true;
    this.add(named.emails, null);
    this.addDevices(named.devices, null, []);
    if (named.devicesOverBudget) this.devicesAnywhere.overflow();
    this.devicesAnywhere.keep(named.devicePieces, { date: null, writers: [] });
    for (const text of [...named.texts, ...named.emails]) this.addresses.keep(text, null);
  }

  /** Emails whose consent is uncertain, sorted. */
  uncertain(): string[] {
    // A doubt stands unless a valid record of the email is newer than the bad line's own date.
    const stands = (email: string, lastUpdateDate: number | null): boolean => {
      const valid = this.valid.get(email);
      return valid === undefined || lastUpdateDate === null || valid <= lastUpdateDate;
    };
    const out = new Set<string>();
    const spellings = acceptedSpellings(this.valid.keys());
    for (const [email, dates] of this.doubts) {
      if (dates.some((date) => stands(email, date))) out.add(email);
      // An email under the key names every accepted spelling of it too (`ａｎｎ@x.com` names ann@x.com). A spelling
      // two accepted emails share hides both below whatever the dates: only a lone one is weighed (else keys × spellings).
      const alike = spellings.get(spellingOf(email));
      if (alike?.length === 1 && dates.some((date) => stands(alike[0], date))) out.add(alike[0]);
    }
    // By spelling, only a lone one is looked for: those others share are hidden below (n of them in n bad lines made n² matches).
    const lone = [...spellings.values()].filter((emails) => emails.length === 1).map(([email]) => email);
    for (const [email, lastUpdateDate] of this.addresses.named([...this.valid.keys()], lone)) if (stands(email, lastUpdateDate)) out.add(email);
    // Two accepted spellings of one address, or one written as another: accepted-spellings.ts.
    for (const email of writtenAsAnother(spellings)) out.add(email);
    // A compressed file's records cannot be read: any customer's revocation may be among them, and no date clears it.
    if (this.compressed) for (const email of this.valid.keys()) out.add(email);
    // Devices bad lines name, and the customers holding them (device-holders-doubt.ts); a device an older record
    // names, which a kept version may still hold as theirs, is listed apart (heldInDoubt).
    const devices = { underKey: this.deviceDoubts, anywhere: this.devicesAnywhere, freshestSerials: this.freshestSerials, everySerial: this.everySerial, spellings, stands };
    const { holders, held } = deviceHoldersInDoubt(devices);
    for (const email of holders) out.add(email);
    this.held = held;
    return [...out].sort();
  }

  /**
   * The devices customers' older records name (not their freshest) that the doubt uncertain() applies to a device
   * would hide, each with its customer: a kept version built while it was theirs may hold it, with readings from
   * whoever the bad line is. Read after uncertain().
   */
  heldInDoubt(): Array<{ email: string; device: string }> {
    return this.held;
  }

  // Private: records one doubt for each device.
  private addDevices(devices: Iterable<string>, lastUpdateDate: number | null, writers: readonly string[]): void {
    for (const device of devices) this.addDevice(device, { date: lastUpdateDate, writers });
  }

  // Private: records a doubt on one device.
  private addDevice(device: string, doubt: DeviceDoubt): void {
    const doubts = this.deviceDoubts.get(device);
    if (doubts) doubts.push(doubt);
    else this.deviceDoubts.set(device, [doubt]);
  }

  // Private: records one doubt for each email.
  private add(emails: Iterable<string>, lastUpdateDate: number | null): void {
    for (const email of emails) {
      const dates = this.doubts.get(email) ?? [];
      dates.push(lastUpdateDate);
      this.doubts.set(email, dates);
    }
  }
}
