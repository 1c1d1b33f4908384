import { accelerometerDataset } from '../../src/graphql/datasets/accelerometer.dataset';
import { type Figure, atLeast, atMost, makeFigure } from '../figure';
import { elapsedMs, measure, type Sample, type Summary } from '../measure';
import { fetchPage, pageDocument } from '../paging';
import { BENCHMARK, type PeerLake, TITLE, thousands } from './peer-lake';
import { PEER_READINGS, peerCursorFor, peerPage } from './peer-queries';
import { cpuNsSince, threadCpuNs, treePids } from './process-cpu';
import { psql } from './postgres';

/**
 * `accelerometerReadings` in pages of 10,000 (the same five fields on both
 * sides): page 1 against page 400, reached with the cursor each system issues
 * for the row before it (walking 4 million rows first would take minutes), and
 * a walk of full pages from the start for the paging rate. Each sample also
 * records the CPU both systems' processes used meanwhile (every process and
 * thread, per page): a side's own work per page, and whether the other side
 * was still busy during it; the same for both sides.
 */

const FIELD = 'accelerometerReadings';
const FIELDS = 'serialNumber timestamp x y z';
const DEEP_PAGE = 400;

export async function deepPageFigures(lake: PeerLake): Promise<Figure[]> {
  const { ctx, server, local, peer, pg, database } = lake;
  const size = ctx.settings.depthWalkPageSize;
  const document = pageDocument(FIELD, FIELDS);
  const { [FIELD]: counted } = await server.graphql<Record<string, { totalCount: number }>>(`{ ${FIELD}(first: 1) { totalCount } }`);
  const total = counted.totalCount;
  // Page 400 where the lake holds it; on a smaller lake, the last full page.
  const before = Math.min((DEEP_PAGE - 1) * size, total - size);
  if (before < size) throw new Error(`${FIELD} has ${total} rows: too few for a deep page of ${size}`);
  const pageNumber = Math.floor(before / size) + 1;
  const stediDeep = await local.cursorAt(accelerometerDataset, before, FIELD);
  const first = await peerPage(peer, PEER_READINGS, size, null);
  const keyText = psql(pg.url(database), `SELECT "serialNumber", "timestamp", x, y, z FROM accelerometer_trusted ORDER BY 1, 2, 3, 4, 5 OFFSET ${before - 1} LIMIT 1`).trim().split('|');
  const sample = JSON.parse(Buffer.from(first.endCursor as string, 'base64').toString('utf8')) as [string, Array<string | number>];
  // The key values typed as PostGraphile's own cursors type them (bigint as text, doubles as numbers).
  const peerDeep = peerCursorFor(first.endCursor as string, keyText.map((v, i) => (typeof sample[1][i] === 'number' ? Number(v) : v)));
  // Each system's processes: stedi's primary and workers; PostGraphile, and Postgres with its backends.
  const systems = { stediCpuMs: [server.pid], peerCpuMs: [peer.pid, pg.pid()] };
  const withCpu =
    (timed: () => Promise<number>, pages = 1) =>
    async (): Promise<Sample> => {
      const pids = await Promise.all(Object.values(systems).map((roots) => treePids(roots)));
      const before = await Promise.all(pids.map((p) => threadCpuNs(p)));
      const value = await timed();
      // Thread by thread (cpuNsSince): a Postgres backend or worker thread ending during the sample made the sums' difference negative.
      const used = await Promise.all(pids.map((p, i) => cpuNsSince(before[i], p)));
      return { value, ...Object.fromEntries(Object.keys(systems).map((name, i) => [name, used[i] / 1e6 / pages])) };
    };
  const stediPage = (after: string | null) => async (): Promise<number> => {
    let rows = 0;
    const ms = await elapsedMs(async () => {
      rows = (await fetchPage(server, FIELD, document, size, after)).rows;
    });
    if (rows !== size) throw new Error(`a page of ${size} returned ${rows} rows`);
    return ms;
  };
  const postgraphilePage = (after: string | null) => async (): Promise<number> => {
    let rows = 0;
    const ms = await elapsedMs(async () => {
      rows = (await peerPage(peer, PEER_READINGS, size, after)).rows;
    });
    if (rows !== size) throw new Error(`a PostGraphile page of ${size} returned ${rows} rows`);
    return ms;
  };
  const walk = (page: (after: string | null) => Promise<{ rows: number; endCursor: string | null; hasNextPage: boolean }>) => async (): Promise<number> => {
    let after: string | null = null;
    let rows = 0;
    const ms = await elapsedMs(async () => {
      for (let i = 0; i < ctx.settings.depthWalkPages; i += 1) {
        const p = await page(after);
        rows += p.rows;
        if (!p.hasNextPage) break;
        after = p.endCursor;
      }
    });
    return rows / (ms / 1000);
  };
  const pages = ctx.settings.depthWalkPages;
  const results = await measure(
    {
      stediFirst: withCpu(stediPage(null)),
      peerFirst: withCpu(postgraphilePage(null)),
      stediDeep: withCpu(stediPage(stediDeep)),
      peerDeep: withCpu(postgraphilePage(peerDeep)),
      stediWalk: withCpu(walk((after) => fetchPage(server, FIELD, document, size, after)), pages),
      peerWalk: withCpu(walk((after) => peerPage(peer, PEER_READINGS, size, after)), pages),
    },
    ctx.measureOptions(`peer depth ${lake.size}×`, { runs: Math.max(lake.runs, 3) }),
  );
  // Medians of the CPU per page (a walk's: per page of it) of each system's processes during each task's samples.
  const cpu = (r: Record<string, Summary>) => Object.fromEntries(Object.keys(systems).map((name) => [name, Math.round(r[name].median * 10) / 10]));
  const cpuMsPerPage = Object.fromEntries(Object.entries(results).map(([task, r]) => [task, cpu(r as Record<string, Summary>)]));
  const base = { benchmark: BENCHMARK, title: TITLE, details: { lake: lake.label, totalRows: total, rowsBeforeDeepPage: before, fields: FIELDS, cpuMsPerPage } };
  const label = `${FIELD}, page of ${thousands(size)}`;
  return [
    makeFigure({ ...base, figure: `${label}: page 1, ${lake.label}`, unit: 'ms', summary: results.stediFirst.value, floor: { what: 'PostGraphile page 1', summary: results.peerFirst.value }, targets: [atMost(50, 'ms')] }),
    makeFigure({ ...base, figure: `${label}: page ${pageNumber} (rows ${thousands(before + 1)}–${thousands(before + size)}), ${lake.label}`, unit: 'ms', summary: results.stediDeep.value, floor: { what: `PostGraphile page ${pageNumber}`, summary: results.peerDeep.value }, targets: [atMost(50, 'ms')] }),
    makeFigure({ ...base, figure: `${label}: paging from the start, ${ctx.settings.depthWalkPages} pages, ${lake.label}`, unit: 'rows/s', summary: results.stediWalk.value, floor: { what: 'PostGraphile, same pages', summary: results.peerWalk.value }, targets: [atLeast(200_000, 'rows/s')] }),
  ];
}
