import type { Source } from '../tables';
import { TABLES, landingTableOf } from '../tables';
import type { Person } from './people';
import { AXES, type Session } from './sessions';

/**
 * Landing records written byte for byte in the real files' style: customer
 * lines with `", "` and `": "` separators and absent (not null) optional
 * dates, the sensor lines compact, accelerometer values always with a
 * decimal point (`1.0`), as the real export wrote its floats.
 */
export type LandingRecord = Record<string, unknown>;

const DOUBLE_FIELDS = new Set(TABLES.accelerometer_landing.columns.filter((c) => c.type === 'DOUBLE').map((c) => c.name));
const SPACED: Record<Source, boolean> = { customer: true, accelerometer: false, step_trainer: false };

const number = (value: number): string => (Number.isInteger(value) ? value.toFixed(1) : String(value));

/** Any record of a source in that source's style, also when a field holds the wrong type. */
export function formatRecord(source: Source, record: LandingRecord): string {
  const [colon, comma] = SPACED[source] ? [': ', ', '] : [':', ','];
  const fields = Object.entries(record).map(([name, value]) => {
    const text = source === 'accelerometer' && DOUBLE_FIELDS.has(name) && typeof value === 'number' ? number(value) : JSON.stringify(value);
    return `${JSON.stringify(name)}${colon}${text}`;
  });
  return `{${fields.join(comma)}}`;
}

export function customerRecord(person: Person, session: Session): LandingRecord {
  const record: LandingRecord = { ...person, registrationDate: session.registrationDate, lastUpdateDate: session.lastUpdateDate };
  if (session.shareWithResearchAsOfDate !== null) record.shareWithResearchAsOfDate = session.shareWithResearchAsOfDate;
  if (session.shareWithPublicAsOfDate !== null) record.shareWithPublicAsOfDate = session.shareWithPublicAsOfDate;
  if (session.shareWithFriendsAsOfDate !== null) record.shareWithFriendsAsOfDate = session.shareWithFriendsAsOfDate;
  return record;
}

export function accelerometerRecord(email: string, timestamp: number, axis: number): LandingRecord {
  const [x, y, z] = AXES[axis];
  return { user: email, timestamp, x, y, z };
}

export const stepTrainerRecord = (serialNumber: string, sensorReadingTime: number, distanceFromObject: number): LandingRecord => ({
  sensorReadingTime,
  serialNumber,
  distanceFromObject,
});

// The x, y, z part of every accelerometer line, formatted once: millions of lines are written.
const AXES_TEXT = AXES.map(([x, y, z]) => `"x":${number(x)},"y":${number(y)},"z":${number(z)}`);

/** The fast path for clean accelerometer lines; equal to formatRecord of accelerometerRecord. */
export const accelerometerLine = (userJson: string, timestamp: number, axis: number): string => `{"user":${userJson},"timestamp":${timestamp},${AXES_TEXT[axis]}}`;

export const stepTrainerLine = (serialJson: string, sensorReadingTime: number, distanceFromObject: number): string =>
  `{"sensorReadingTime":${sensorReadingTime},"serialNumber":${serialJson},"distanceFromObject":${distanceFromObject}}`;

/** The declared required fields of a source's landing table, the ones whose absence quarantines a line. */
export const requiredFields = (source: Source) => TABLES[landingTableOf(source)].columns.filter((c) => c.required);
