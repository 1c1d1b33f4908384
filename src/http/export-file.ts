import { type FileHandle, open, rm, unlink } from 'node:fs/promises';
import { ErrorCode, StediError } from '../errors';
import { isStaleCursor, MESSAGES } from '../graphql/error-mapping';
import { STALE_REASONS } from '../graphql/stale-reasons';
import { type MachineLearningExportOptions, machineLearningExportQuery } from '../graphql/machine-learning-export';
import type { Services } from '../services';
import { hiddenSince } from './export-consent-guard';
import type { ExportParams } from './export-params';

/**
 * An export's file: written from the live version, opened and deleted (the open handle keeps it readable, and nothing
 * is left behind if the process dies), its first bytes read, and only then checked against the consent registry a
 * last time, so a change read before the status line is answered whole (written again, or 410), never by a reset.
 */

export type ExportQuery = Awaited<ReturnType<typeof machineLearningExportQuery>>;

export interface ExportFile {
  query: ExportQuery;
  rows: number;
  /** Open on the deleted file: the caller closes it (or hands it to a stream that does). */
  handle: FileHandle;
  size: number;
  /** The file's first bytes (up to the chunk size), read before the last consent check: sent first, unguarded. */
  first: Buffer;
}

/** How many files one export writes when consent keeps changing under them before it answers 410. */
const WRITES = 2;

const CONSENT_CHANGED_TWICE =
  'consent changed while this export was written, twice: the consent registry now hides a customer (a revocation, a doubt, or the as-of date moved later) whom each file written held; nothing was sent: send the request again';

/** The export's query of the live version; made once more if a rebuild expired that version while it was made. */
export async function liveExportQuery(services: Services, options: MachineLearningExportOptions): Promise<ExportQuery> {
  try {
    return await machineLearningExportQuery(services, options);
  } catch (error) {
    if (!isStaleCursor(error)) throw error;
    return machineLearningExportQuery(services, options).catch(lakeChangedIfStale);
  }
}

/**
 * Writes `query` to `file` and opens it, its first `chunk` bytes read; written again from the live version (its own
 * consent snapshot) when the registry hides one of its customers by then, and refused 410 CONSENT_CHANGED when it does
 * again. A signal aborted meanwhile throws its reason.
 */
export async function checkedExportFile(services: Services, query: ExportQuery, options: MachineLearningExportOptions, format: ExportParams['format'], file: string, chunk: number, signal: AbortSignal): Promise<ExportFile> {
  for (let write = 1; ; write += 1) {
    let rows: number;
    ({ query, rows } = await writtenOnLive(services, query, options, format, file, signal));
    signal.throwIfAborted();
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      await unlink(file);
      const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(Math.min(size, chunk)), position: 0 });
      if (!hiddenSince(query.consent, await services.consent.snapshot(), query.version)) return { query, rows, handle, size, first: buffer.subarray(0, bytesRead) };
    } catch (error) {
      await handle.close();
      throw error;
    }
    await handle.close();
    if (write === WRITES) throw new StediError(ErrorCode.STALE_CURSOR, CONSENT_CHANGED_TWICE, STALE_REASONS.consentChanged);
    query = await liveExportQuery(services, options);
  }
}

// An export sends no cursor: a version expired under it (StaleVersionError, or as the query's maker said it) is the
// lake changing during the request, not a cursor to restart.
const lakeChangedIfStale = (error: unknown): never => {
  throw isStaleCursor(error) ? new StediError(ErrorCode.STALE_CURSOR, MESSAGES.lakeChanged, STALE_REASONS.lakeChanged) : error;
};

/**
 * Writes `query` (of the version live when it was made) to `file`. A rebuild (the server's own erasure rebuild too)
 * that publishes and expires that version meanwhile fails the write: it is written once more from the new live
 * version (its own consent snapshot); if the lake changed again the answer says so and to ask again.
 */
async function writtenOnLive(services: Services, query: ExportQuery, options: MachineLearningExportOptions, format: ExportParams['format'], file: string, signal: AbortSignal): Promise<{ query: ExportQuery; rows: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { query, rows: await services.engine.exportToFile(query.sql, query.params, format, file, { signal }) };
    } catch (error) {
      if (!isStaleCursor(error) || signal.aborted) throw error;
      if (attempt > 1) lakeChangedIfStale(error);
    }
    await rm(file, { force: true });
    query = await machineLearningExportQuery(services, options).catch(lakeChangedIfStale);
  }
}
