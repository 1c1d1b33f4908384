import type { ConsentPolicy } from './consent-policy';
import { AMBIGUOUS_SERIALS_SQL, checksFor } from './checks';
import type { BuildTarget } from './engine/build-target';
import type { CheckResult, LandingCount } from './manifest';
import { SOURCES, type Source } from './tables';

/** Every landing line of each source is accepted, quarantined or blank. */
export function landingAccounted(landing: Record<Source, LandingCount>): CheckResult[] {
  return SOURCES.map((source) => {
    const c = landing[source];
    return {
      name: `${source}_landing_accounted`,
      description: `every ${source} landing line is accepted, quarantined or blank`,
      violations: Math.abs(c.lines - c.accepted - c.quarantined - (c.blank ?? 0)),
    };
  });
}

/** The checks' results, and the count of serialNumbers two emails claim (a report, not a check). */
export async function runChecks(target: BuildTarget, policy: ConsentPolicy, landing: Record<Source, LandingCount>): Promise<{ checks: CheckResult[]; ambiguousSerials: number }> {
  const results = landingAccounted(landing);
  const checks = checksFor(policy);
  if (target.violationsOfAll) {
    const counts = await target.violationsOfAll([...checks.map((c) => ({ select: c.sql, unique: c.unique })), { select: AMBIGUOUS_SERIALS_SQL }]);
    checks.forEach((check, k) => results.push({ name: check.name, description: check.description, violations: counts[k] }));
    return { checks: results, ambiguousSerials: counts[checks.length] };
  }
  const violations = new Array<number>(checks.length);
  // Small checks are mostly per-statement latency: an engine that can run several at once keeps every core busy.
  let next = 0;
  let failing = false;
  const worker = async (): Promise<void> => {
    for (let k = next++; k < checks.length && !failing; k = next++) {
      try {
        violations[k] = await target.violations(checks[k].sql, checks[k].unique);
      } catch (error) {
        failing = true;
        throw error;
      }
    }
  };
  // Settled, not Promise.all: a failing check must not let abandon() and end() race a check still running.
  const runs = await Promise.allSettled(Array.from({ length: Math.max(1, Math.min(target.checkConcurrency ?? 1, checks.length)) }, worker));
  const failed = runs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  checks.forEach((check, k) => results.push({ name: check.name, description: check.description, violations: violations[k] }));
  return { checks: results, ambiguousSerials: await target.violations(AMBIGUOUS_SERIALS_SQL) };
}
