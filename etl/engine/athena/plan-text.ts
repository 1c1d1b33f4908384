import { sqlLiteral } from './parameters';
import type { PreflightCall } from './preflight-calls';
import type { Statement } from './statements';

/**
 * A planned Athena build as text (`stedi build --dry-run`). Apart from the
 * planner so printing a plan, and the CLI that can, never load the AWS SDK.
 */

/** What a build would do: the pre-flight's calls, then every statement. */
export interface BuildPlan {
  preflight: PreflightCall[];
  statements: Statement[];
}

/** A plan as text: the pre-flight calls as comments, then the statements. */
export function formatPlan(plan: BuildPlan): string {
  const calls = plan.preflight.map((c) => `-- pre-flight: ${c.service} ${c.action} ${c.resource}: ${c.checks}\n`).join('');
  return `${calls}\n${formatStatements(plan.statements)}`;
}

/** The statements as text: each followed by `;`, with the ExecutionParameters Athena would receive in a comment above it. */
export function formatStatements(statements: readonly Statement[]): string {
  return statements
    .map((s) => {
      const params = s.params && s.params.length > 0 ? `-- ExecutionParameters: ${JSON.stringify(s.params.map(sqlLiteral))}\n` : '';
      return `${params}${s.sql};\n`;
    })
    .join('\n');
}
