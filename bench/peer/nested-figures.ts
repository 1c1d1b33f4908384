import { type Figure, makeFigure } from '../figure';
import { type Summary, elapsedMs, measure, summarize } from '../measure';
import { RebuildLoop } from '../rebuild-loop';
import { BENCHMARK, type PeerLake, TITLE, notAbovePeer } from './peer-lake';
import { PEER_NESTED } from './peer-queries';

/**
 * One request for 100 customers with 10 accelerometer readings each, the same
 * fields on both sides. Warm: the median of a block of requests one at a time.
 * Cold: this server's first such request after a rebuild made a new version
 * live (what users see first); PostGraphile has no versions, so its warm
 * latency is the comparison for both.
 */

const STEDI_NESTED = `{ customers(first: 100) { edges { node { serialNumber registrationDate lastUpdateDate shareWithResearchAsOfDate
  accelerometerReadings(first: 10) { edges { node { serialNumber timestamp x y z } } } } } } }`;
const BLOCK = 10;
/** Cold samples at every size (one rebuild each): the cold figure varies more than any other, so its spread is shown on 7. */
const COLD_SAMPLES = 7;

async function timed(request: () => Promise<unknown>): Promise<number> {
  return elapsedMs(request);
}

async function blockMedian(request: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < BLOCK; i += 1) samples.push(await timed(request));
  return summarize(samples).median;
}

const FIGURE = 'customers(first: 100) × accelerometerReadings(first: 10), one request';

/** Warm latency of both; returns PostGraphile's for the cold figure too. */
export async function nestedWarmFigure(lake: PeerLake): Promise<{ figure: Figure; peerWarm: Summary }> {
  const { ctx, server, peer } = lake;
  const stedi = () => server.graphql(STEDI_NESTED);
  const postgraphile = () => peer.graphql(PEER_NESTED);
  await stedi();
  await postgraphile();
  const warm = await measure({ peer: () => blockMedian(postgraphile), stedi: () => blockMedian(stedi) }, ctx.measureOptions(`peer nested ${lake.size}×`, { runs: lake.runs }));
  const figure = makeFigure({
    benchmark: BENCHMARK,
    title: TITLE,
    figure: `${FIGURE}, warm, ${lake.label}`,
    unit: 'ms',
    summary: warm.stedi.value,
    floor: { what: 'PostGraphile, warm', summary: warm.peer.value },
    targets: [notAbovePeer],
    details: { lake: lake.label, requestsPerRun: BLOCK },
  });
  return { figure, peerWarm: warm.peer.value };
}

/**
 * Each cold sample is one rebuild of the lake through the API, then the first request on the new version (an answer
 * asked before the rebuild: the server makes it again on the new version before the job succeeds, answer-replay.ts),
 * then the same query as a text no one asked before (executed: information, what a query not asked lately costs).
 */
export async function nestedColdFigures(lake: PeerLake, peerWarm: Summary): Promise<Figure[]> {
  const { ctx, server, schema } = lake;
  const rebuilds = new RebuildLoop(server, schema);
  let sample = 0;
  const cold = await measure(
    {
      stedi: async () => {
        const state = await rebuilds.rebuildOnce();
        if (state !== 'SUCCEEDED') throw new Error(`a rebuild for the cold figure ended ${state}`);
        const value = await timed(() => server.graphql(STEDI_NESTED));
        sample += 1;
        const unasked = await timed(() => server.graphql(`${STEDI_NESTED}\n# cold sample ${sample}, a text not asked before`));
        return { value, unasked };
      },
    },
    ctx.measureOptions(`peer nested cold ${lake.size}×`, { warmup: 0, runs: ctx.settings.quick ? lake.runs : Math.max(lake.runs, COLD_SAMPLES) }),
  );
  const samplesOf = (summary: Summary) => summary.samples.map((s) => Math.round(s * 10) / 10);
  return [
    makeFigure({
      benchmark: BENCHMARK,
      title: TITLE,
      figure: `${FIGURE}, cold (first request after a version change), ${lake.label}`,
      unit: 'ms',
      summary: cold.stedi.value,
      floor: { what: 'PostGraphile, warm', summary: peerWarm },
      targets: [notAbovePeer],
      details: { lake: lake.label, samplesMs: samplesOf(cold.stedi.value) },
      note: `PostGraphile has no versions: its warm latency is the comparison; the max of the cold samples is ${cold.stedi.value.max.toFixed(1)} ms against ${peerWarm.median.toFixed(1)} ms`,
    }),
    makeFigure({
      benchmark: BENCHMARK,
      title: TITLE,
      figure: `${FIGURE}, cold, a query text not asked before (executed on the new version), ${lake.label}`,
      unit: 'ms',
      summary: cold.stedi.unasked,
      floor: { what: 'PostGraphile, warm', summary: peerWarm },
      targets: [],
      details: { lake: lake.label, samplesMs: samplesOf(cold.stedi.unasked) },
    }),
  ];
}
