import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Every setting the server reads is in README, and every STEDI_ variable README names is read (or is one of the
 * Python client's and the tests'): an operator reading README finds each knob, and no knob README offers does nothing.
 */

const ROOT = join(__dirname, '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const configFiles = readdirSync(join(ROOT, 'src')).filter((f) => /^config.*\.ts$/.test(f));
const configText = configFiles.map((f) => readFileSync(join(ROOT, 'src', f), 'utf8')).join('\n');

/** The variables src/config*.ts reads: by name in a reader's call ('STEDI_X') or as env.X. */
const read = new Set([...configText.matchAll(/'((?:STEDI|AWS)_[A-Z0-9_]+|PORT|HOST|LOG_LEVEL|NO_COLOR)'|\benv\.([A-Z][A-Z0-9_]+)/g)].map((m) => (m[1] ?? m[2])!));

/** README's names, its shorthand `STEDI_X_MIN_MS` / `_MAX_MS` read as both. */
const documented = new Set<string>();
for (const m of readme.matchAll(/`((?:STEDI|AWS)_[A-Z0-9_]+|MALLOC_TRIM_THRESHOLD_|PORT|HOST|LOG_LEVEL|NO_COLOR)`(?:\s*\/\s*`(_[A-Z0-9_]+)`)?/g)) {
  documented.add(m[1]!);
  if (m[2]) documented.add(m[1]!.replace(/(_MIN)?_[A-Z]+$/, m[2]));
}

/** Named in README, read elsewhere: the Python client's (clients/python) and the tests' own. */
const NOT_THE_SERVERS = new Set(['STEDI_URL', 'STEDI_API_KEY', 'STEDI_SAMPLE_DIR', 'AWS_PROFILE', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED']);

describe('the settings README documents', () => {
  it('include every variable src/config*.ts reads', () => {
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });

  it('are each read by src/config*.ts, but for the Python client\'s and the tests\'', () => {
    expect([...documented].filter((name) => /^STEDI_/.test(name) && !read.has(name) && !NOT_THE_SERVERS.has(name)).sort()).toEqual([]);
  });
});
