import { ensureCompiledCli } from './compiled-cli';
import { useOwnTmpdir } from './jest-tmpdir';
import { hasStediSample, MISSING_SAMPLE_LINE } from './stedi-sample-location';

const AWS_WARNING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';

/** Runs once before every jest run, so what each suite would repeat is said once. */
export default function globalSetup(): void {
  useOwnTmpdir();
  // Tested as users run it: bin/stedi.js and the Dockerfile set production, and jest's 'test' made graphql-js run its
  // development checks (a quarter of a large answer's CPU in instanceOf) and Express its development error pages.
  process.env.NODE_ENV = 'production';
  if (!hasStediSample) process.stderr.write(`\n${MISSING_SAMPLE_LINE}\n`);
  // The CLI suites run bin/stedi.js over dist/: a tree edited since the last build would be tested as it was.
  const started = Date.now();
  if (ensureCompiledCli()) process.stderr.write(`note: dist/ was older than src/ or etl/: compiled again (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  // The AWS SDK warns once per module registry, i.e. once per suite that loads it; say it once here instead.
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22 && process.env[AWS_WARNING] === undefined) {
    process.stderr.write(`note: the AWS SDK's releases after January 2027 need Node 22; this is Node ${process.versions.node} (users run 22+)\n`);
    process.env[AWS_WARNING] = 'true';
  }
}
