import { Transform, type TransformCallback } from 'node:stream';
import type { ConsentRegistry } from '../consent/consent-registry';
import type { ConsentSnapshot } from '../consent/consent-snapshot';

/**
 * An export's file is written under one consent snapshot and may take long to
 * send (a slow reader keeps it going for hours), so the registry is asked again
 * while it goes out: a customer hidden since then must stop arriving within the
 * refresh interval, as on every other path.
 */

/** How often an export being sent asks the registry, besides before each chunk it reads. */
const CHECK_MS = 1_000;

/**
 * Whether `now` hides a customer `start` did not, whom `version` holds (or may hold: a
 * version the registry no longer lists, whose exclusions are unknown). Same generation: no change.
 */
export function hiddenSince(start: ConsentSnapshot, now: ConsentSnapshot, version: string): boolean {
  if (now.generation === start.generation) return false;
  const before = new Set(start.exclusionsFor(version));
  const newly = (serial: string): boolean => !start.hiddenSerials.has(serial) && !before.has(serial);
  // The version's own list: it names those hidden from this version alone (built under any, the lake now as-of).
  if (now.covers(version)) return now.exclusionsFor(version).some(newly);
  for (const serial of now.hiddenSerials) if (newly(serial)) return true;
  return false;
}

/** Ends an export that the registry now forbids: the client's answer is cut short. */
export class ConsentChangedError extends Error {
  constructor() {
    super('consent changed while the export was sent: a customer it holds is hidden now');
    this.name = 'ConsentChangedError';
  }
}

/**
 * Passes an export's bytes through while the registry hides nobody new from them (asked
 * before each chunk and every CHECK_MS, so a client reading nothing is cut too). It fails
 * with ConsentChangedError once it does, or with the registry's error when it cannot say.
 */
export function consentGuard(consent: ConsentRegistry, start: ConsentSnapshot, version: string): Transform {
  // A generation found harmless (its newly hidden customers are not in this version) is not walked again.
  let harmless = start.generation;
  const check = async (): Promise<void> => {
    const now = await consent.snapshot();
    if (now.generation === harmless) return;
    if (hiddenSince(start, now, version)) throw new ConsentChangedError();
    harmless = now.generation;
  };
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      check().then(() => done(null, chunk), done);
    },
  });
  const timer = setInterval(() => void check().catch((error: Error) => guard.destroy(error)), CHECK_MS);
  timer.unref();
  guard.once('close', () => clearInterval(timer));
  return guard;
}
