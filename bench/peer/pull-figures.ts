import { type Figure, type Target, atLeast, makeFigure } from '../figure';
import { elapsedMs, measure } from '../measure';
import { pageDocument, walk, walkBatch } from '../paging';
import { BENCHMARK, type PeerLake, TITLE, ratioAtLeast, thousands } from './peer-lake';
import { PEER_PAGE, peerWalk } from './peer-queries';

/**
 * The whole training set, as a notebook pulls it (each answer parsed), through
 * `machineLearningSamples`, `machineLearningBatch` and PostGraphile's
 * connection, with the in-process floor (DuckDB in the bench's process +
 * JSON.stringify of each page's rows), interleaved.
 *
 * PostGraphile's walk stops after PEER_MAX_ROWS: its keyset condition is a
 * chain of ORs Postgres cannot seek with, so each page scans the index from
 * the start and the whole 100× set (4M rows) would take about half an hour.
 * Its first pages are its cheapest, so the cap favours PostGraphile.
 */

export const PEER_MAX_ROWS = 500_000;
export async function pullFigures(lake: PeerLake): Promise<Figure[]> {
  const { ctx, server, local, peer, schema } = lake;
  const { pullPageSize: first, batchPageSize } = ctx.settings;
  const document = pageDocument('machineLearningSamples', schema.leafSelection(schema.nodeTypeOfQuery('machineLearningSamples')));
  const counts: Record<string, number> = {};
  const rate = (what: string, pull: () => Promise<number>) => async (): Promise<number> => {
    let rows = 0;
    const ms = await elapsedMs(async () => {
      rows = await pull();
    });
    counts[what] = rows;
    return rows / (ms / 1000);
  };
  // Warm-up: a few pages each (the whole 100× set through PostGraphile takes minutes).
  await walk(server, 'machineLearningSamples', document, first, { maxPages: 5 }).catch(() => undefined);
  await walkBatch(server, batchPageSize, 5).catch(() => undefined);
  await peerWalk(peer, PEER_PAGE, first, 5);
  const results = await measure(
    {
      floor: rate('floor', async () => {
        const { sql, params } = await local.trainingSetQuery();
        const rows = await local.engine.query(sql, params, { timeoutMs: 0 });
        // Page by page, as the server answers (one string of 4M rows would pass V8's string limit).
        for (let i = 0; i < rows.length; i += first) JSON.stringify(rows.slice(i, i + first));
        return rows.length;
      }),
      peer: rate('peer', async () => (await peerWalk(peer, PEER_PAGE, first, Math.ceil(PEER_MAX_ROWS / first))).rows),
      samples: rate('samples', async () => (await walk(server, 'machineLearningSamples', document, first)).rows),
      batch: rate('batch', async () => (await walkBatch(server, batchPageSize)).rows),
    },
    ctx.measureOptions(`peer pull ${lake.size}×`, { warmup: 0, runs: lake.runs }),
  );
  const floor = results.floor.value.median;
  const capped = counts.peer < counts.floor;
  const sameRows = new Set(Object.entries(counts).filter(([k]) => !(capped && k === 'peer')).map(([, v]) => v)).size === 1;
  if (!sameRows) ctx.log(`  the pulls returned different row counts: ${JSON.stringify(counts)}`);
  const ofFloor: Target = { label: '≥ 40% of in-process floor', met: (m) => m >= 0.4 * floor };
  const details = { lake: lake.label, rows: counts, inProcessFloorRowsPerSecond: Math.round(floor), shareOfInProcessFloor: Math.round((results.samples.value.median / floor) * 1000) / 1000 };
  const notes = [
    ...(capped ? [`PostGraphile walked its first ${thousands(counts.peer)} rows only (its pages get slower with depth, so the cap favours it)`] : []),
    ...(sameRows ? [] : [`row counts differ: ${JSON.stringify(counts)}`]),
  ];
  const note = notes.length > 0 ? notes.join('; ') : undefined;
  const peerWhat = `PostGraphile, same pages${capped ? `, first ${thousands(counts.peer)} rows` : ''}`;
  return [
    makeFigure({
      benchmark: BENCHMARK,
      title: TITLE,
      figure: `training set, machineLearningSamples, pages of ${thousands(first)}, ${lake.label}`,
      unit: 'rows/s',
      summary: results.samples.value,
      floor: { what: peerWhat, summary: results.peer.value },
      targets: [atLeast(200_000, 'rows/s'), ofFloor, ratioAtLeast(3)],
      details,
      ...(note ? { note } : {}),
    }),
    makeFigure({
      benchmark: BENCHMARK,
      title: TITLE,
      figure: `training set, machineLearningBatch (columns), pages of ${thousands(batchPageSize)}, ${lake.label}`,
      unit: 'rows/s',
      summary: results.batch.value,
      floor: { what: `${peerWhat} (rows of ${thousands(first)})`, summary: results.peer.value },
      // Issue 11's bar is for the large lakes; on the real data the figure is informational.
      targets: lake.size >= 10 ? [atLeast(1_000_000, 'rows/s')] : [],
      details: { ...details, shareOfInProcessFloor: Math.round((results.batch.value.median / floor) * 1000) / 1000 },
      note: `stedi only: PostGraphile has no columnar page, so its row pages are the comparison${note ? `; ${note}` : ''}`,
    }),
    makeFigure({
      benchmark: BENCHMARK,
      title: TITLE,
      figure: `training set, in-process floor (DuckDB + JSON.stringify per page), ${lake.label}`,
      unit: 'rows/s',
      summary: results.floor.value,
      floor: { what: peerWhat, summary: results.peer.value },
      note: 'what the pull figures are a share of',
    }),
  ];
}
