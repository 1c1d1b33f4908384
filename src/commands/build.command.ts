import { type Command, InvalidArgumentError } from 'commander';
import { runBuildOnSteadyLanding } from '../../etl/build-again';
import { buildReport } from '../../etl/build-report';
import { type BuildProgress, type DeadBuildsCleared, deadBuildsClearedMessage } from '../../etl/build-options';
import { type ConsentPolicy, parseConsentPolicy } from '../../etl/consent-policy';
import { loadLakeConfig } from '../config';
import { formatPlan, planBuild } from '../../etl/engine/open-engine';
import { engineOptions, openConfiguredEngine } from '../engine';
import { buildProgressBar } from './build-progress';
import { formatBuildSummary } from './build-summary';
import { CliError, usageError } from './cli-error';
import { sayWhenBuildInterrupted } from './interrupts';
import { type EngineFlags, addEngineFlags, engineConfig, engineOverrides } from './engine-flags';
import { positiveInteger } from './options';
import { buildPolicy } from '../consent/live-policy';
import { expireHoldingVersions } from '../rebuild/erasure';
import { withExamples } from './help-examples';
import { stderrLine } from './printable-text';

interface BuildFlags extends EngineFlags {
  landing?: string;
  consentPolicy?: ConsentPolicy;
  keep?: number;
  json?: boolean;
  dryRun?: boolean;
}

const EXAMPLES: Array<[string, string]> = [
  ['stedi build --landing ./landing --lake ./lake', 'build from local landing files'],
  ['stedi build --lake ./lake --consent-policy as-of --json', 'only readings after consent; a JSON report'],
  ['STEDI_ENGINE=athena stedi build --lake s3://bucket/lake', 'the same zones on Athena'],
];

export function registerBuild(cli: Command): void {
  addEngineFlags(withExamples(cli.command('build'), EXAMPLES).description('build landing → trusted → curated as a new version and switch to it atomically'))
    .option('--landing <dir>', 'folder holding customer/landing/, accelerometer/landing/, step_trainer/landing/ (default: STEDI_LANDING, else the one the live version was built from, else the lake folder)')
    .option('--consent-policy <policy>', "any: every reading of a consenting customer; as-of: only readings at or after consent (default: STEDI_CONSENT_POLICY, else the live version's, else any)", policyFlag)
    .option('--keep <n>', 'versions to keep (default: STEDI_KEEP_VERSIONS or 3)', positiveInteger('--keep'))
    .option('--json', 'print one JSON object with the version, row counts and quarantine counts')
    .option('--dry-run', 'print the pre-flight calls and every statement of an Athena build in order, without calling AWS (with --json: one JSON object)')
    .action(async (flags: BuildFlags) => {
      const config = engineConfig(flags, () =>
        loadLakeConfig({
          ...engineOverrides(flags),
          landing: flags.landing,
          consentPolicy: flags.consentPolicy,
          keepVersions: flags.keep,
        }),
      );
      if (flags.dryRun) {
        // Athena only, as doctor: on the embedded engine the command line is the mistake (exit 2), not the build.
        if (config.engine !== 'athena') throw usageError('--dry-run lists the statements of an Athena build; use it with --engine athena (or STEDI_ENGINE=athena)');
        const plan = await planBuild(engineOptions(config), { consentPolicy: config.consentPolicy, keepVersions: config.keepVersions }).catch((error: Error) => {
          throw new CliError(`--dry-run: ${error.message}`);
        });
        const json = { preflight: plan.preflight, statements: plan.statements.map((s) => s.sql) };
        process.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : formatPlan(plan));
        return;
      }
      // Lazy: the build has its own DuckDB; the engine's starts only if older versions must be read (the erasure bound).
      const engine = await openConfiguredEngine(config, { lazy: true });
      const interrupted = sayWhenBuildInterrupted();
      const progress = flags.json ? undefined : buildProgressBar();
      try {
        const options = {
          consentPolicy: await buildPolicy(engine, config),
          keepVersions: config.keepVersions,
          maxLineBytes: config.maxLineBytes,
          doubtTextBytes: config.doubtTextBytes,
          landingSettle: config.landingSettle,
          onProgress: (p: BuildProgress) => {
            if (p.step.kind === 'publish') interrupted.publishing = true;
            progress?.onProgress(p);
          },
          // The erasure bound holds for a build run by hand too: older versions holding a withdrawn customer expire.
          expireVersions: expireHoldingVersions(engine, config),
          onLeftBehind: (message: string) => process.stderr.write(stderrLine(`warning: ${message}`)),
          onBuildAgain: (message: string) => process.stderr.write(stderrLine(message)),
          onDeadBuildsCleared: (cleared: DeadBuildsCleared) => process.stderr.write(stderrLine(deadBuildsClearedMessage(cleared))),
        };
        const manifest = await runBuildOnSteadyLanding(() => engine.buildTarget(options), options);
        progress?.stop();
        const report = buildReport(manifest, config.lake);
        process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatBuildSummary(report));
      } finally {
        interrupted.stop();
        progress?.stop();
        await engine.close();
      }
    });
}

/** A commander parser: a bad policy is said as every other flag's bad value (exit 2, with `stedi build --help`). */
function policyFlag(raw: string): ConsentPolicy {
  try {
    return parseConsentPolicy(raw);
  } catch (error) {
    throw new InvalidArgumentError(`--consent-policy: ${(error as Error).message}`);
  }
}
