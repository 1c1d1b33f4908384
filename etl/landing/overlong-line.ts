import { StringDecoder } from 'node:string_decoder';
import { readDevices, readEmails } from './named-under-keys';
import { mayNameAddress } from './address-text';
import { KEPT_TEXT_BUDGET } from './named-addresses';
import { decodedSpelling } from './named-devices';
import { deviceOf } from './serial-spelling';

/** The longest device (a serialNumber is at most 200 bytes of UTF-8, so 200 UTF-16 units) less one. */
const DEVICE_OVERLAP = 199;

/**
 * The emails and devices named in a line too long to hold, read from its bytes
 * as they stream by (consent-doubt.ts). Each piece is read after the last `window` characters
 * of the one before, so a name and its email split between pieces are still
 * found (an email longer than the window could match no accepted record).
 */
export class OverlongEmails {
  readonly emails = new Set<string>();
  /** The devices it names under a serialNumber key. */
  readonly devices = new Set<string>();
  /**
   * Its text spelled as devices are (serial-spelling.ts), in pieces each starting with the last DEVICE_OVERLAP
   * characters of the one before, and each piece read with the text before it decoded (named-devices.ts).
   */
  readonly devicePieces: string[] = [];
  /** Its spelling outgrew KEPT_TEXT_BUDGET: no longer kept, and every accepted device counts as named. */
  devicesOverBudget = false;
  private deviceTail = '';
  private deviceChars = 0;
  /** The text read, in overlapping pieces, for the address search (named-addresses.ts). */
  readonly texts: string[] = [];
  // Private: the end of the text read so far, read again before the next piece.
  private tail = '';
  private readonly decoder = new StringDecoder('utf8');

  constructor(private readonly window: number) {}

  push(bytes: Buffer): void {
    const text = this.tail + this.decoder.write(bytes);
    readEmails(text, this.emails);
    readDevices(text, this.devices);
    if (mayNameAddress(text)) this.texts.push(text);
    // The new text only (spelling drops characters one by one; a urn:uuid: cut between pieces stays, before the device it
    // prefixes), after the tail of the one before: a device split between pieces is whole in one.
    if (!this.devicesOverBudget) {
      const spelled = this.deviceTail + deviceOf(text.slice(this.tail.length));
      // Decoded whole with the window before it, so an escape or a device cut between pieces is read whole.
      const decoded = decodedSpelling(text);
      const pieces = decoded === undefined ? [spelled] : [spelled, decoded];
      for (const piece of pieces) this.deviceChars += piece.length;
      this.devicesOverBudget = this.deviceChars > KEPT_TEXT_BUDGET;
      if (this.devicesOverBudget) this.devicePieces.length = 0;
      else this.devicePieces.push(...pieces);
      this.deviceTail = spelled.slice(-DEVICE_OVERLAP);
    }
    this.tail = text.slice(-this.window);
  }
}
