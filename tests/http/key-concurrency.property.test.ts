import fc from 'fast-check';
import { KeyConcurrency, type Ticket } from '../../src/http/key-concurrency';

/**
 * The per-key limit against a model, over any order of requests arriving and ending across keys: a key never runs
 * more than its limit nor has more waiting than its queue, waiters are admitted in arrival order as places free, refusals are
 * RATE_LIMITED, and a key with nothing in flight is forgotten.
 */

const SEED = Number(process.env.STEDI_PROPERTY_SEED ?? Math.floor(Math.random() * 2 ** 31));

type Step = { kind: 'enter'; key: number } | { kind: 'leave'; pick: number };
type Place = 'running' | 'waiting' | 'refused' | 'gone';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(`a key's requests in flight against a model (seed ${SEED})`, () => {
  it('keeps every key within its limit and admits waiters in arrival order', async () => {
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('enter' as const), key: fc.integer({ min: 0, max: 2 }) }),
      fc.record({ kind: fc.constant('leave' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 5 }), fc.array(step, { maxLength: 60 }), async (limit, queue, steps) => {
        const refusals: string[] = [];
        const gate = new KeyConcurrency(limit, queue, 3_600_000, (_route, reason) => refusals.push(reason));
        const tickets: Array<{ key: string; ticket: Ticket; place: Place; settled: 'admitted' | 'refused' | 'pending' }> = [];
        for (const s of steps) {
          if (s.kind === 'enter') {
            const key = `k${s.key}`;
            const mine = tickets.filter((t) => t.key === key);
            const running = mine.filter((t) => t.place === 'running').length;
            const waiting = mine.filter((t) => t.place === 'waiting').length;
            const place: Place = running < limit ? 'running' : waiting < queue ? 'waiting' : 'refused';
            const entry = { key, ticket: gate.enter(key, 'graphql'), place, settled: 'pending' as const } as (typeof tickets)[number];
            entry.ticket.admitted.then(
              () => void (entry.settled = 'admitted'),
              (error: { extensions?: { code?: string } }) => {
                expect(error.extensions?.code).toBe('RATE_LIMITED');
                entry.settled = 'refused';
              },
            );
            tickets.push(entry);
          } else {
            const live = tickets.filter((t) => t.place === 'running' || t.place === 'waiting');
            if (live.length === 0) continue;
            const leaving = live[s.pick % live.length]!;
            const wasRunning = leaving.place === 'running';
            leaving.ticket.leave();
            leaving.ticket.leave(); // leaving twice frees one place
            leaving.place = 'gone';
            if (wasRunning) {
              const next = tickets.find((t) => t.key === leaving.key && t.place === 'waiting');
              if (next) next.place = 'running';
            }
          }
          await flush();
          for (const key of ['k0', 'k1', 'k2']) {
            const mine = tickets.filter((t) => t.key === key);
            const expected = { running: mine.filter((t) => t.place === 'running').length, waiting: mine.filter((t) => t.place === 'waiting').length };
            expect(gate.inFlight(key)).toEqual(expected);
            expect(expected.running).toBeLessThanOrEqual(limit);
            expect(expected.waiting).toBeLessThanOrEqual(queue);
          }
          for (const t of tickets) {
            if (t.place === 'running') expect(t.settled).toBe('admitted');
            if (t.place === 'waiting') expect(t.settled).toBe('pending');
            if (t.place === 'refused') expect(t.settled).toBe('refused');
          }
        }
        expect(refusals.length).toBe(tickets.filter((t) => t.place === 'refused').length);
        for (const t of tickets) t.ticket.leave();
        for (const key of ['k0', 'k1', 'k2']) expect(gate.inFlight(key)).toEqual({ running: 0, waiting: 0 });
        expect((gate as unknown as { keys: Map<string, unknown> }).keys.size).toBe(0);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
