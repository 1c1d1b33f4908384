import { type FileHandle, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type Request, type Response, Router } from 'express';
import { ErrorCode } from '../errors';
import { MESSAGES, warnEngineUnavailable } from '../graphql/error-mapping';
import type { Services } from '../services';
import { isDiskFull, isFileTooLarge, isWriteRefused } from './disk-full';
import { ConsentChangedError, consentGuard } from './export-consent-guard';
import { checkedExportFile, liveExportQuery } from './export-file';
import { makeExportFolder, removeDeadExportFolders } from './export-folders';
import { ExportsInFlight } from './exports-in-flight';
import { exportFileName } from './export-file-name';
import { EXPORT_FORMATS, type ExportParams, parseExportParams } from './export-params';
import { httpErrorOf } from './format-error';
import { sendError } from './http-errors';
import type { ServerMetrics } from './metrics';
import { requestLogOf } from './request-context';
import { retryAfterSeconds } from './retry-after';
import { watchStall } from './stalled-answers';

/**
 * GET /export/machine_learning_curated: the consent-filtered training rows
 * (the same query as machineLearningSamples) as one Parquet, CSV or NDJSON
 * file. The engine writes a temp file, which is streamed and then deleted, so
 * memory stays flat however many rows there are.
 */

export const EXPORT_PATH = '/export/machine_learning_curated';
const STREAM_CHUNK = 1 << 20;
/** How long an export waits for a client that stops reading before it cuts the answer (the file it holds is freed then). */
export const EXPORT_STALL_MS = 60_000;

export function exportRoutes(services: Services, metrics: ServerMetrics, tempDir: () => string = tmpdir, stallMs = EXPORT_STALL_MS, inFlight = new ExportsInFlight()): Router {
  removeDeadExportFolders(tempDir()); // a server killed mid-export leaves its folder behind
  const router = Router();
  router.get(EXPORT_PATH, (req, res) => inFlight.track(sendExport(req, res)));
  const sendExport = async (req: Request, res: Response): Promise<void> => {
    const log = requestLogOf(res);
    // A client that hangs up cancels the engine's work. Ended early by us instead (a failure mid-send destroys the
    // response with its error, a stall cut, the shutdown's), it is no client going away: each ending is logged once, as what it was.
    const abort = new AbortController();
    let clientGone = false;
    let stalled = false;
    let shutDown = false;
    res.on('close', () => {
      if (res.writableFinished) return;
      if (!res.errored && !stalled) {
        shutDown = inFlight.isGraceOver();
        clientGone = !shutDown;
      }
      abort.abort();
    });
    let dir: string | undefined;
    let handle: FileHandle | undefined;
    try {
      const params = parseExportParams(req.query as Record<string, unknown>);
      const started = performance.now();
      const { split, splitSeed, serialNumber, from, to } = params;
      const options = { split, splitSeed, serialNumber, from, to, formulaSafeText: params.format === 'csv' };
      let query = await liveExportQuery(services, options);
      const { contentType, extension } = EXPORT_FORMATS[params.format];
      // HEAD answers what a GET would send but its size and row count, known only once the file is written: a HEAD
      // (a download manager's, a link checker's) must not cost a whole export.
      if (req.method === 'HEAD') {
        res.status(200).set(answerHeaders(contentType, query.version, params)).end();
        return;
      }
      dir = await makeExportFolder(tempDir());
      const queried = performance.now();
      const file = await checkedExportFile(services, query, options, params.format, join(dir, `export.${extension}`), STREAM_CHUNK, abort.signal);
      ({ query, handle } = file);
      const { rows, size } = file;
      const { version } = query;
      const written = performance.now();
      // Its file is deleted (open only): the folder goes before any byte does, so a client that has the whole answer finds nothing left.
      await rmdir(dir);
      dir = undefined;
      res.status(200).set({ ...answerHeaders(contentType, version, params), 'Content-Length': String(size), 'X-Row-Count': String(rows) });
      // The first bytes passed the last consent check: sent now, with the status line, before anything else can run.
      if (file.first.length > 0 && !res.destroyed) res.write(file.first);
      // From here the stream owns the handle and closes it, however the pipeline ends.
      const stream = handle.createReadStream({ start: file.first.length, highWaterMark: STREAM_CHUNK });
      handle = undefined;
      // The pipeline's own 'close' listeners join the request's (context, metrics, cancel, Express): more than Node's
      // default 10 for an emitter, which it reports on every export as a possible leak. They end with the response.
      res.setMaxListeners(res.getMaxListeners() + 10);
      // A client that stops reading would hold the connection and the deleted file's disk space for as long as it likes.
      const stopWatch = watchStall(req.socket, stallMs, () => {
        log.info({ stallMs }, 'export cut: the client read nothing for the stall limit');
        stalled = true;
        res.destroy();
      });
      try {
        // A customer hidden while it goes out cuts it (ConsentChangedError): the client sees it short and asks again.
        await pipeline(stream, consentGuard(services.consent, query.consent, version), res);
      } finally {
        stopWatch();
      }
      metrics.exportRows.inc({ format: params.format }, rows);
      const ms = (from: number, to: number): number => Math.round(to - from);
      // Where an export's time goes: preparing the query, the engine writing the file, sending it.
      const timings = { prepareMs: ms(started, queried), writeMs: ms(queried, written), sendMs: ms(written, performance.now()) };
      log.info({ rows, bytes: size, format: params.format, split: params.split, version, ...timings }, 'export sent');
    } catch (error) {
      if (error instanceof ConsentChangedError) {
        log.info('export cut: a customer it holds was hidden by the consent registry while it was sent');
        res.destroy();
        return;
      }
      // Cut for a stall: said when it was cut (the pipeline's premature close that follows is no client going away).
      if (stalled) return;
      if (shutDown) {
        log.info('export cut: the server shut down before it was all sent (the shutdown grace was over)');
        return;
      }
      const answer = httpErrorOf(error);
      // A failure of ours mid-send closes the response too, which aborts (on Node 22+ before this runs): only an error
      // of no kind of ours after a hang-up is the client going away (on Node 24 a cut was logged as that).
      if (clientGone && answer.internal) {
        log.info('export cancelled: the client went away');
        return;
      }
      // The operator's to fix, and the caller's to retry: said as such (507), not as our bug; the log has the path.
      if (isDiskFull(error)) {
        log.error({ err: error, exportDir: tempDir() }, 'export failed: no disk space left for its file');
        sendError(res, ErrorCode.INSUFFICIENT_STORAGE, MESSAGES.exportDiskFull);
        return;
      }
      // A read-only or foreign TMPDIR (a container's read-only root): every export failed as an internal error (500).
      if (answer.internal && isWriteRefused(error)) {
        log.error({ err: error, exportDir: tempDir() }, 'export failed: the temporary folder refuses writes');
        sendError(res, ErrorCode.INSUFFICIENT_STORAGE, MESSAGES.exportFolderRefused);
        return;
      }
      if (isFileTooLarge(error)) {
        log.error({ err: error, exportDir: tempDir() }, 'export failed: its file grew past the file size limit');
        sendError(res, ErrorCode.INSUFFICIENT_STORAGE, MESSAGES.exportFileTooLarge);
        return;
      }
      if (answer.internal) log.error({ err: error }, 'export failed');
      // The status line is out (the registry could not be asked mid-send, say): the client only sees fewer bytes.
      else if (res.headersSent) log.warn({ code: answer.code, reason: answer.reason }, 'export cut: it failed after its first bytes were sent');
      warnEngineUnavailable(error, log);
      const retryAfter = res.headersSent ? undefined : await retryAfterSeconds(services, answer.code, answer.message);
      if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
      sendError(res, answer.code as ErrorCode, answer.message, statusOf(answer.code), answer.reason);
    } finally {
      await handle?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  };
  return router;
}

const answerHeaders = (contentType: string, version: string, params: ExportParams): Record<string, string> => ({
  'Content-Type': contentType,
  'Content-Disposition': `attachment; filename="${exportFileName(version, params)}"`,
  'Cache-Control': 'no-store',
  // Each export is written anew (the live version, consent as it is now): a Range is answered with the whole file.
  'Accept-Ranges': 'none',
  'X-Lake-Version': version,
});

const statusOf = (code: string): number | undefined => (code in ErrorCode ? undefined : 400);
