import { type EmailSerials, serialsOf } from './email-serials';
import { spellingOf } from './email-spelling';
import type { DeviceDoubt, NamedDevices } from './named-devices';
import { deviceOf } from './serial-spelling';

/** What consent-doubt.ts knows when it weighs the devices bad lines (and valid records' undeclared members) name. */
export interface DeviceDoubts {
  /** Per device a bad line names under its serialNumber key: its doubts. */
  readonly underKey: ReadonlyMap<string, DeviceDoubt[]>;
  /** The bad lines' text, searched for every accepted device (named-devices.ts). */
  readonly anywhere: NamedDevices;
  /** Per accepted email: the serialNumber (a set only on a tie) its records at its freshest lastUpdateDate name. */
  readonly freshestSerials: EmailSerials;
  /** Per accepted email: every serialNumber its records name, whatever their dates (a set only past the first). */
  readonly everySerial: EmailSerials;
  /** The accepted emails by spelling (accepted-spellings.ts). */
  readonly spellings: ReadonlyMap<string, string[]>;
  /** Whether a doubt dated `date` on `email` stands: no valid record of that email is newer. */
  readonly stands: (email: string, date: number | null) => boolean;
}

/** The customers in doubt for a device they hold now (`holders`), and the devices older records name that a kept version may hold (`held`). */
export interface DeviceHolders {
  holders: Set<string>;
  held: Array<{ email: string; device: string }>;
}

/**
 * A device a bad line names may be its writer's, who may withhold consent (devices follow consent): every
 * customer whose freshest records name it is in doubt. Only the writer's newer record supersedes the line (as it
 * would a valid record of theirs); the device holder's own newer record says nothing of the writer's consent.
 * Devices named anywhere in a bad line (named-devices.ts) count beside those under its key. A device a customer's
 * older records name, which a kept version built before they moved to another may hold, is weighed the same way
 * and listed with its customer (`held`): a new build leaves it out anyway.
 */
export function deviceHoldersInDoubt({ underKey, anywhere, freshestSerials, everySerial, spellings, stands }: DeviceDoubts): DeviceHolders {
  const out: DeviceHolders = { holders: new Set<string>(), held: [] };
  const named = new Map<string, DeviceDoubt[]>();
  if (anywhere.holdsText) {
    // Every accepted device, not the freshest alone: a kept version may hold a customer on one they have left.
    for (const [device, doubt] of anywhere.named(everyDevice(everySerial))) {
      const doubts = named.get(device);
      if (doubts) doubts.push(doubt);
      else named.set(device, [doubt]);
    }
  }
  if (underKey.size === 0 && named.size === 0) return out;
  // A writer is the holder, and is superseded by a newer record of theirs, under the address as written or its
  // lone accepted spelling.
  const isHolder = (writer: string, holder: string): boolean => {
    const alike = spellings.get(spellingOf(writer));
    return writer === holder || (alike?.length === 1 && alike[0] === holder);
  };
  const superseded = (writer: string, date: number | null): boolean => {
    const alike = spellings.get(spellingOf(writer));
    return !stands(writer, date) || (alike?.length === 1 && !stands(alike[0], date));
  };
  // Any record of another email naming a device makes it ambiguous, however old (customer_trusted.sql): a bad
  // line of another writer holds the device back while it is in landing, whatever newer records its writer has.
  // Only the holder's own line is superseded, by the holder's newer record (as their email's doubt is).
  // A valid record's claim (claimedBeyond) is its writer's, whose consent is known: live for every other holder.
  const live = (doubt: DeviceDoubt, holder: string): boolean =>
    doubt.writers.length === 0 || doubt.writers.some((writer) => !isHolder(writer, holder) || (doubt.accepted !== true && !superseded(writer, doubt.date)));
  for (const [email, serials] of freshestSerials) {
    for (const serial of serialsOf(serials)) {
      const device = deviceOf(serial);
      const holds = (doubt: DeviceDoubt): boolean => live(doubt, email);
      if (underKey.get(device)?.some(holds) || named.get(device)?.some(holds)) out.holders.add(email);
    }
  }
  for (const [email, serials] of everySerial) {
    // By device, not as written: two serials of one email may be one device (`SN-1`, `sn-1 `: serial-spelling.ts),
    // and one its freshest records name in another spelling is not a device it has left.
    const freshest = freshestSerials.get(email);
    const listed = new Set<string>();
    for (const serial of serialsOf(freshest)) listed.add(deviceOf(serial));
    for (const serial of serialsOf(serials)) {
      const device = deviceOf(serial);
      if (listed.has(device)) continue;
      const holds = (doubt: DeviceDoubt): boolean => live(doubt, email);
      if (underKey.get(device)?.some(holds) || named.get(device)?.some(holds)) {
        listed.add(device);
        out.held.push({ email, device });
      }
    }
  }
  return out;
}

// Private: the devices (serial-spelling.ts) every accepted record names.
function everyDevice(everySerial: EmailSerials): Set<string> {
  const devices = new Set<string>();
  for (const serials of everySerial.values()) for (const serial of serialsOf(serials)) devices.add(deviceOf(serial));
  return devices;
}
