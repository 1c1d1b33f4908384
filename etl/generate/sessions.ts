import type { Random } from './random';

/**
 * When a generated customer registered, consented and used their step
 * trainer, following the real data: about 30 reading times ~3 s apart
 * around the registration, 1–6 phone readings at each, some times shared
 * with other customers, and readings before consent that `as-of` removes.
 */
export interface Session {
  registrationDate: number;
  lastUpdateDate: number;
  shareWithResearchAsOfDate: number | null;
  shareWithPublicAsOfDate: number | null;
  shareWithFriendsAsOfDate: number | null;
  /** Distinct reading times, ascending. */
  timestamps: number[];
  /** Per reading time: indices into AXES of its distinct accelerometer readings. */
  readings: number[][];
  /** Per reading time: the step trainer's distanceFromObject. */
  distances: number[];
}

/** The accelerometer values the real data holds: every (x, y, z) in {-1, 0, 1}³. */
export const AXES: readonly (readonly [number, number, number])[] = [-1, 0, 1].flatMap((x) =>
  [-1, 0, 1].flatMap((y) => [-1, 0, 1].map((z) => [x, y, z] as const)),
);

export const READING_TIMES_PER_CUSTOMER = 30;
const FIRST_REGISTRATION = 1_655_560_000_000; // June 2022, as in the real data
const REGISTRATION_GAP_MS: readonly [number, number] = [600, 4_600];
const READING_GAP_MS: readonly [number, number] = [2_000, 4_000];
/** Readings start up to this long before registration: roughly a fifth predate consent, as in the real data. */
const MAX_LEAD_MS = 32_000;
/** Weight of 0..6 accelerometer readings per reading time (mean ≈ 2.83, the real data's ratio). */
const READINGS_PER_TIME_WEIGHTS: readonly number[] = [0, 3, 18, 75, 2, 1, 1];
const CONSENT_CHANCE = 0.5;
/** Consent given only after the last reading: `as-of` drops the whole customer. */
const LATE_CONSENT_CHANCE = 0.04;
const LATER_UPDATE_CHANCE = 0.04;
const OTHER_SHARING_CHANCE = 0.5;
const SHARED_TIME_CHANCE = 0.05;
const RECENT_TIMES_KEPT = 256;
const DISTANCE: readonly [number, number] = [201, 300];

export class SessionFactory {
  private clock = FIRST_REGISTRATION;
  // Recent customers' reading times; reusing one makes a timestamp shared by two people.
  private readonly recentTimes = new Float64Array(RECENT_TIMES_KEPT);
  private recentCount = 0;
  // A permutation of AXES indices; a partial shuffle of it picks distinct readings.
  private readonly axisOrder = AXES.map((_, i) => i);

  constructor(private readonly random: Random) {}

  next(): Session {
    const r = this.random;
    this.clock += r.int(REGISTRATION_GAP_MS[0], REGISTRATION_GAP_MS[1]);
    const registrationDate = this.clock;
    const timestamps = this.readingTimes(registrationDate);
    const last = timestamps[timestamps.length - 1];

    const consents = r.chance(CONSENT_CHANCE);
    const lateConsent = consents && r.chance(LATE_CONSENT_CHANCE);
    const research = !consents ? null : lateConsent ? last + r.int(1_000, 15_000) : registrationDate;
    const lastUpdateDate = lateConsent ? (research as number) : r.chance(LATER_UPDATE_CHANCE) ? registrationDate + r.int(58_000, 70_000) : registrationDate;
    const shareWithPublicAsOfDate = r.chance(OTHER_SHARING_CHANCE) ? registrationDate : null;
    const shareWithFriendsAsOfDate = r.chance(OTHER_SHARING_CHANCE) ? registrationDate : null;

    const readings = timestamps.map(() => this.pickReadings(r.weighted(READINGS_PER_TIME_WEIGHTS)));
    const distances = timestamps.map(() => r.int(DISTANCE[0], DISTANCE[1]));
    return { registrationDate, lastUpdateDate, shareWithResearchAsOfDate: research, shareWithPublicAsOfDate, shareWithFriendsAsOfDate, timestamps, readings, distances };
  }

  private readingTimes(registrationDate: number): number[] {
    const r = this.random;
    const times = new Set<number>();
    let t = registrationDate - r.int(0, MAX_LEAD_MS);
    for (let i = 0; i < READING_TIMES_PER_CUSTOMER; i++) {
      if (i > 0) t += r.int(READING_GAP_MS[0], READING_GAP_MS[1]);
      const shared = this.recentCount > 0 && r.chance(SHARED_TIME_CHANCE) ? this.recentTimes[r.int(0, Math.min(this.recentCount, RECENT_TIMES_KEPT) - 1)] : undefined;
      times.add(shared !== undefined && !times.has(shared) ? shared : t);
    }
    // A shared time can equal a later fresh one; top up so every customer has the full count.
    while (times.size < READING_TIMES_PER_CUSTOMER) times.add((t += r.int(READING_GAP_MS[0], READING_GAP_MS[1])));
    const sorted = [...times].sort((a, b) => a - b);
    for (const time of sorted) this.recentTimes[this.recentCount++ % RECENT_TIMES_KEPT] = time;
    return sorted;
  }

  private pickReadings(count: number): number[] {
    const order = this.axisOrder;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(this.random.next() * (order.length - i));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order.slice(0, count);
  }
}
