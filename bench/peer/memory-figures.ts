import { type Figure, makeFigure } from '../figure';
import { measure } from '../measure';
import { BENCHMARK, type PeerLake, TITLE, notAbovePeer } from './peer-lake';
import { treePss } from './process-memory';

/**
 * Idle memory: the PSS sum of every process of this server (its workers and
 * any child it runs, however many) against PostGraphile's process plus every
 * PostgreSQL process (postmaster, backends, background workers). Read a few
 * times a second apart once both have been idle for a moment.
 */

const MiB = 2 ** 20;
const SETTLE_MS = 3_000;

export async function idleMemoryFigure(lake: PeerLake, when: string, judged: boolean): Promise<Figure> {
  const { ctx, server, peer, pg } = lake;
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const processes: Record<string, number> = {};
  const results = await measure(
    {
      stedi: async () => {
        const tree = await treePss([server.pid]);
        processes.stedi = tree.pids.length;
        return tree.pssBytes / MiB;
      },
      peer: async () => {
        const tree = await treePss([peer.pid, pg.pid()]);
        processes.peer = tree.pids.length;
        return tree.pssBytes / MiB;
      },
    },
    ctx.measureOptions(`peer memory ${lake.size}×`, { warmup: 0, runs: 5 }),
  );
  return makeFigure({
    benchmark: BENCHMARK,
    title: TITLE,
    figure: `idle memory (PSS of every process), ${when}, ${lake.label}`,
    unit: 'MiB',
    summary: results.stedi.value,
    floor: { what: 'PostGraphile + PostgreSQL', summary: results.peer.value },
    targets: judged ? [notAbovePeer] : [],
    details: { lake: lake.label, processes },
    note: "this server is bin/stedi.js serve from the compiled dist/ (its primary and every worker); PostgreSQL holds only this lake's database",
  });
}
