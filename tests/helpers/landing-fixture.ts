import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Source } from '../../etl/tables';

/**
 * Small hand-made landing folders. Records are written one JSON object per
 * line; a string is written as-is, so a test can plant a malformed line.
 */
export type LandingLine = Record<string, unknown> | string;

export interface CustomerSeed {
  name: string;
  serial: string;
  consentAt?: number | null;
  updatedAt?: number;
}

export const emailOf = (name: string): string => `${name}@test.com`;

export function customerRecord(seed: CustomerSeed): Record<string, unknown> {
  const updated = seed.updatedAt ?? 1_655_000_000_000;
  return {
    customerName: seed.name,
    email: emailOf(seed.name),
    phone: '8015551212',
    birthDay: '1990-01-01',
    serialNumber: seed.serial,
    registrationDate: 1_650_000_000_000,
    lastUpdateDate: updated,
    shareWithResearchAsOfDate: seed.consentAt === undefined ? 1_655_000_000_000 : seed.consentAt,
    shareWithPublicAsOfDate: null,
    shareWithFriendsAsOfDate: null,
  };
}

export const accelerometerRecord = (name: string, timestamp: number, x = 0.5, y = -0.5, z = 1): Record<string, unknown> => ({
  user: emailOf(name),
  timestamp,
  x,
  y,
  z,
});

export const stepTrainerRecord = (serial: string, sensorReadingTime: number, distanceFromObject = 200): Record<string, unknown> => ({
  sensorReadingTime,
  serialNumber: serial,
  distanceFromObject,
});

export function makeTempDir(prefix = 'stedi-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes `<root>/<source>/landing/<file>` with the given lines. */
export function writeLanding(root: string, source: Source, lines: LandingLine[], file = `${source}-1.json`): string {
  const dir = join(root, source, 'landing');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return path;
}

/**
 * A small lake's landing data: alice and bob consent, carol does not; alice and
 * bob share the timestamp 1_655_000_001_000 (a cross-person join would pair them).
 */
export function writeSmallLanding(root: string = makeTempDir()): string {
  writeLanding(root, 'customer', [
    customerRecord({ name: 'alice', serial: 'serial-alice' }),
    customerRecord({ name: 'bob', serial: 'serial-bob' }),
    customerRecord({ name: 'carol', serial: 'serial-carol', consentAt: null }),
  ]);
  writeLanding(root, 'accelerometer', [
    accelerometerRecord('alice', 1_655_000_001_000, 1, 1, 1),
    accelerometerRecord('alice', 1_655_000_001_000, 2, 2, 2),
    accelerometerRecord('alice', 1_655_000_002_000, 3, 3, 3),
    accelerometerRecord('bob', 1_655_000_001_000, 4, 4, 4),
    accelerometerRecord('carol', 1_655_000_001_000, 5, 5, 5),
  ]);
  writeLanding(root, 'step_trainer', [
    stepTrainerRecord('serial-alice', 1_655_000_001_000, 100),
    stepTrainerRecord('serial-alice', 1_655_000_002_000, 110),
    stepTrainerRecord('serial-bob', 1_655_000_001_000, 120),
    stepTrainerRecord('serial-carol', 1_655_000_001_000, 130),
  ]);
  return root;
}
