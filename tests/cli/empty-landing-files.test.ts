import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin } from '../helpers/bin-cli';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';

/**
 * A landing source whose files hold no record, only blank lines or nothing (a copy cut short, a producer that truncates
 * its file to rewrite it): through `bin/stedi.js` as a user runs it (needs `npm run build`). Every check passes on
 * 0 = 0 + 0, so the embedded build published a lake without that source (no customers at all) over the live version,
 * while Athena refused it, as the README says both do.
 */

const build = (landing: string, lake: string) => runBin(['build', '--landing', landing, '--lake', lake, '--json']);

describe('stedi build over a landing source whose files hold no record', () => {
  it.each([
    ['customer', 'an empty file', ''],
    ['step_trainer', 'only blank lines', '\n  \r\n\t\n'],
  ])('refuses to build when the %s landing holds %s, naming the folder, and leaves the live version live', (source, _what, text) => {
    const landing = writeSmallLanding();
    const lake = makeTempDir();
    const first = build(landing, lake);
    expect(first.status).toBe(0);
    const live = JSON.parse(first.stdout).version;

    writeFileSync(join(landing, source, 'landing', `${source}-1.json`), text);
    const run = build(landing, lake);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `landing folder ${join(landing, source, 'landing')} holds no ${source} records (0 non-blank lines in its file): add the landing data there, or point --landing at the folder holding ${source}/landing/`,
    );
    const status = JSON.parse(runBin(['status', '--lake', lake, '--json']).stdout);
    expect(status.version).toBe(live);
  });
});
