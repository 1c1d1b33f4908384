import { FIRST_NAMES, LAST_NAMES } from './names';
import type { Random } from './random';

/**
 * Who a generated customer is: name, unique email, phone, birthday and the
 * serial number of their step trainer, shaped like the real STEDI records.
 */
export interface Person {
  customerName: string;
  email: string;
  phone: string;
  birthDay: string;
  serialNumber: string;
}

const DAY_MS = 86_400_000;
const OLDEST_BIRTH = Date.UTC(1935, 0, 1);
const YOUNGEST_BIRTH = Date.UTC(2008, 11, 31);

export class PeopleFactory {
  // Emails already handed out per full name; bounded by the name pools' size, not by the customer count.
  private readonly emailsPerName = new Map<string, number>();

  constructor(private readonly random: Random) {}

  next(): Person {
    const first = this.random.pick(FIRST_NAMES);
    const last = this.random.pick(LAST_NAMES);
    const customerName = `${first} ${last}`;
    const seen = (this.emailsPerName.get(customerName) ?? 0) + 1;
    this.emailsPerName.set(customerName, seen);
    return {
      customerName,
      // Names hold no digits, so the numbered emails of a repeated name never collide with another name's.
      email: `${first}.${last}${seen > 1 ? seen : ''}@test.com`,
      phone: `801555${String(this.random.int(0, 9999)).padStart(4, '0')}`,
      birthDay: new Date(OLDEST_BIRTH + this.random.int(0, (YOUNGEST_BIRTH - OLDEST_BIRTH) / DAY_MS) * DAY_MS).toISOString().slice(0, 10),
      serialNumber: this.random.uuid(),
    };
  }
}
