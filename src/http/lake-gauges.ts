import { Counter, Gauge, type Registry } from 'prom-client';
import type { Engine } from '../../etl/engine/engine';
import { liveVersion } from '../../etl/manifest';
import { TABLES, type TableName } from '../../etl/tables';
import type { ConsentRegistry } from '../consent/consent-registry';
import { countsHeldBack } from '../consent/counts-held-back';
import type { Erasure } from '../rebuild/erasure';
import type { Rebuilds } from '../rebuild/rebuilds';
import type { RebuildState } from '../rebuild/rebuild-job';

/** The server's metrics read at scrape time (metrics.ts): the lake's build state and consent, each in `registry`. */

/**
 * Gauges read at scrape time: the live version's build time and row counts, and whether a rebuild runs (the same in
 * every worker: a cluster reports the first). /metrics needs no key: trusted and curated counts are left out while
 * the live version holds a customer consent hides now (counts-held-back.ts).
 */
export function registerLakeGauges(registry: Registry, engine: Engine, rebuilds: Pick<Rebuilds, 'current' | 'list'>, consent: Pick<ConsentRegistry, 'peek'>): void {
  const registers = [registry];
  new Gauge({
    name: 'stedi_lake_live_version_built_timestamp_seconds',
    aggregator: 'first',
    help: 'When the live lake version was built (0 before the first build)',
    registers,
    async collect() {
      const live = await engine.manifest().then((m) => m && liveVersion(m), () => undefined);
      this.set(live ? Date.parse(live.builtAt) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'stedi_lake_table_rows',
    aggregator: 'first',
    help: 'Rows of each table in the live lake version',
    labelNames: ['table'],
    registers,
    async collect() {
      const live = await engine.manifest().then((m) => m && liveVersion(m), () => undefined);
      this.reset();
      const heldBack = live != null && countsHeldBack(consent.peek(), live.version);
      for (const [table, { rows }] of Object.entries(live?.tables ?? {})) if (!heldBack || TABLES[table as TableName]?.zone === 'landing') this.set({ table }, rows);
    },
  });
  new Gauge({
    name: 'stedi_rebuild_running',
    aggregator: 'first',
    help: '1 while a rebuild of the zones runs',
    registers,
    collect() {
      this.set(rebuilds.current() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'stedi_rebuild_jobs',
    aggregator: 'first',
    help: 'Rebuild jobs this server remembers, by state',
    labelNames: ['state'],
    registers,
    collect() {
      const counts: Record<RebuildState, number> = { QUEUED: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0 };
      for (const job of rebuilds.list()) counts[job.state] += 1;
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
}

/** Consent: revocations seen (a counter), how long the oldest still sits on disk, customers whose consent is uncertain (a cluster reports the worker furthest behind). */
export function registerConsentGauges(registry: Registry, consent: Pick<ConsentRegistry, 'revocationsSeen' | 'pendingErasure' | 'peek'>, erasure: Pick<Erasure, 'lagMs'>): void {
  const registers = [registry];
  // A count since start: a counter (`_total`), so increase() reads it across restarts, as Prometheus names counters.
  new Counter({
    name: 'stedi_consent_revocations_seen_total',
    aggregator: 'max',
    help: 'Customers seen held by a kept version after landing withdrew (or made uncertain) their consent or named their device under another email, since the server started',
    registers,
    collect() {
      this.reset();
      this.inc(consent.revocationsSeen);
    },
  });
  new Gauge({
    name: 'stedi_erasure_lag_seconds',
    aggregator: 'max',
    help: 'Seconds since the oldest withdrawn consent still held by a kept version was read (0: nothing to erase)',
    registers,
    collect() {
      this.set(erasure.lagMs(consent.pendingErasure()) / 1000);
    },
  });
  new Gauge({
    name: 'stedi_consent_uncertain_customers',
    aggregator: 'max',
    help: 'Customers hidden because a quarantined landing line makes their consent uncertain',
    registers,
    collect() {
      this.set(consent.peek()?.uncertain ?? 0);
    },
  });
}
