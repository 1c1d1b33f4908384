import type { Engine } from '../../etl/engine/engine';

/**
 * Whether the query engine answers, for /readyz. The embedded engine is asked
 * on every probe (a local, instant query). Athena is never asked by a probe:
 * probes read the answer of the last `SELECT 1`, which runs in the background
 * at most once per TTL, so readiness neither flaps with Athena's latency nor
 * spends its query quota.
 */

export interface ProbeAnswer {
  state: 'answers' | 'does not answer' | 'no answer yet';
  /** Why the engine did not answer (for the log, never for the client). */
  error?: unknown;
}

export interface EngineProbe {
  answer(): Promise<ProbeAnswer>;
}

const PROBE_SQL = 'SELECT 1 AS ok';
const DIRECT_TIMEOUT_MS = 2_000;

export interface CachedProbeOptions {
  /** How long an answer is trusted (default 60 s). */
  ttlMs?: number;
  /** How long a failure is trusted before asking again (default 10 s). */
  failedTtlMs?: number;
  /** Time limit of the background query (default 10 s). */
  timeoutMs?: number;
  /** The clock answers are aged on: the monotonic one by default (a wall clock stepped back an hour kept a failed probe's 503 for that hour). */
  now?: () => number;
}

export function engineProbe(engine: Engine, options: CachedProbeOptions = {}): EngineProbe {
  if (engine.kind !== 'athena') {
    return {
      answer: () =>
        engine.query(PROBE_SQL, [], { timeoutMs: DIRECT_TIMEOUT_MS }).then(
          (): ProbeAnswer => ({ state: 'answers' }),
          (error): ProbeAnswer => ({ state: 'does not answer', error }),
        ),
    };
  }
  return new CachedProbe(engine, options);
}

class CachedProbe implements EngineProbe {
  private last?: { ok: boolean; at: number; error?: unknown };
  private refreshing = false;

  constructor(
    private readonly engine: Engine,
    private readonly options: CachedProbeOptions,
  ) {}

  async answer(): Promise<ProbeAnswer> {
    const now = this.now();
    const ttl = this.last?.ok ? (this.options.ttlMs ?? 60_000) : (this.options.failedTtlMs ?? 10_000);
    if (!this.last || now - this.last.at >= ttl) this.refresh();
    if (!this.last) return { state: 'no answer yet' };
    return this.last.ok ? { state: 'answers' } : { state: 'does not answer', error: this.last.error };
  }

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  /** One background query at a time; its result is what the next probes read. */
  private refresh(): void {
    if (this.refreshing) return;
    this.refreshing = true;
    const done = (ok: boolean, error?: unknown): void => {
      this.last = { ok, at: this.now(), error };
      this.refreshing = false;
    };
    this.engine.query(PROBE_SQL, [], { timeoutMs: this.options.timeoutMs ?? 10_000 }).then(
      () => done(true),
      (error) => done(false, error),
    );
  }
}
