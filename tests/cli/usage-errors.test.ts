import { readdirSync } from 'node:fs';
import { runBin } from '../helpers/bin-cli';
import { makeTempDir, writeSmallLanding } from '../helpers/landing-fixture';
import { runBin as runBinIn } from '../helpers/spawn-cli';

/** A command line that cannot run as written exits 2 with one line saying what to fix; a command that ran and failed exits 1. */

describe('stedi usage errors', () => {
  it.each([
    [['bogus'], /unknown command 'bogus'/],
    // Commander's own help command printed the whole usage on stderr, never saying the command was unknown.
    [['help', 'bogus'], /unknown command 'bogus'; the commands are build, status, generate, serve, start, doctor \(/],
    [['help', 'build', 'extra'], /too many arguments for 'help'/],
    [['build', '--bogus'], /unknown option '--bogus'/],
    [['build', '--keep'], /argument missing/],
    [['build', '--keep', 'two'], /--keep takes a whole number of at least 1; received "two"/],
    [['build', 'extra'], /too many arguments for 'build'/],
    // A control character the user typed is escaped: a line break was collapsed to a space, an escape sequence reached the terminal.
    [['build', '--bo\ngus'], /unknown option '--bo\\u000agus'/],
    [['bogus\u001b[2J'], /unknown command 'bogus\\u001b\[2J'/],
    [['generate'], /required option '--out <dir>' not specified/],
    [['build', '--lake', '<temp>', '--consent-policy', 'sometimes'], /--consent-policy: consent policy must be one of any, as-of; received "sometimes"/],
    // Athena only: on the default engine it exited 1, as a build that ran and failed.
    [['build', '--lake', '<temp>', '--dry-run'], /^stedi: --dry-run lists the statements of an Athena build; use it with --engine athena \(or STEDI_ENGINE=athena\)$/m],
    // Athena's flags did nothing on the default engine: `stedi build --lake ./lake --region eu-west-1` built a local lake.
    [['build', '--lake', '<temp>', '--region', 'eu-west-1'], /^stedi: --region is an Athena setting, unused by the duckdb engine: add --engine athena \(or set STEDI_ENGINE=athena\) with an s3:\/\/ --lake, or leave it out$/m],
    [['status', '--lake', '<temp>', '--workgroup', 'analytics', '--glue-database', 'stedi'], /^stedi: --workgroup, --glue-database are Athena settings, unused by the duckdb engine: .*leave them out$/m],
    [['serve', '--lake', '<temp>', '--output-location', 's3://results-bucket/athena/'], /^stedi: --output-location is an Athena setting, unused by the duckdb engine/],
    [['status', '--lake', '<temp>', '--engine', 'postgres'], /--engine must be duckdb or athena; received "postgres"/],
    [['serve', '--lake', '<temp>', '--port', 'eighty'], /--port takes a whole number from 0 to 65535; received "eighty"/],
    // Decimal digits, as the environment's settings: Number() read 0x10 as port 16 and 1e20 as a count of versions.
    [['serve', '--lake', '<temp>', '--port', '0x10'], /--port takes a whole number from 0 to 65535; received "0x10"/],
    [['build', '--keep', '99999999999999999999'], /--keep takes a whole number of at least 1; received "99999999999999999999"/],
    [['generate', '--out', '<temp>', '--customers', '1e3'], /--customers takes a whole number of at least 1; received "1e3"/],
    [['generate', '--out', '<temp>', '--dirty', '0x1'], /--dirty takes a number from 0 to 1; received "0x1"/],
    [['generate', '--out', '<temp>', '--dirty', '1e-1'], /--dirty takes a number from 0 to 1; received "1e-1"/],
    [['generate', '--out', '<temp>', '--dirty', '+.5'], /--dirty takes a number from 0 to 1; received "\+\.5"/],
    [['generate', '--out', '<temp>', '--seed', ''], /--seed takes any text but an empty one; received ""/],
    [['generate', '--out', ''], /--out takes the folder to write the landing data into; received ""/],
  ])('exits 2 for `stedi %j`, saying what is wrong in one `stedi: ` line on stderr and printing nothing on stdout', (args, said) => {
    const run = runBin(args.map((arg) => (arg === '<temp>' ? makeTempDir() : arg)));
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
    expect(run.stderr).toMatch(said);
    // The prefix every other failure has (commander's own was `error: `), so an operator greps one.
    expect(run.stderr).toMatch(/^stedi: [^\n]*\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("names the command's own help in the line, and drops commander's preamble before a message that names the flag", () => {
    expect(runBin(['generate', '--customers', 'many', '--out', makeTempDir()]).stderr).toBe(
      'stedi: --customers takes a whole number of at least 1; received "many" (run `stedi generate --help` for usage)\n',
    );
    expect(runBin(['bogus']).stderr).toBe("stedi: unknown command 'bogus' (run `stedi --help` for usage)\n");
  });

  it.each([
    [['build', '--consent-policy', 'ANY'], 'stedi: --consent-policy: consent policy must be one of any, as-of; received "ANY" (run `stedi build --help` for usage)\n'],
    [['status', '--engine', 'Athena'], 'stedi: --engine must be duckdb or athena; received "Athena" (run `stedi status --help` for usage)\n'],
    [['serve', '--port', '99999'], 'stedi: --port takes a whole number from 0 to 65535; received "99999" (run `stedi serve --help` for usage)\n'],
    [['start', '--port', 'x'], 'stedi: --port takes a whole number from 0 to 65535; received "x" (run `stedi start --help` for usage)\n'],
  ])('names the command\'s help for a bad --consent-policy, --engine or --port too, as for every other flag (`stedi %j`)', (args, line) => {
    // These were checked by hand after parsing, and their lines alone named no help.
    expect(runBin([...args, '--lake', makeTempDir()])).toEqual({ status: 2, stdout: '', stderr: line });
  });

  it('exits 2 for `stedi` with no command, showing the usage on stderr', () => {
    const run = runBin([]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^Usage: stedi/);
  });

  it('names the flag that fixes an s3:// lake given to the default engine, not only its environment variable: a usage error (exit 2)', () => {
    // The lake flag the engine cannot take exited 1, as a command that ran and failed.
    const run = runBin(['status', '--lake', 's3://bucket/stedi']);
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 2,
      stderr: 'stedi: the duckdb engine needs a local lake folder; for s3://bucket/stedi pass --engine athena (or set STEDI_ENGINE=athena)\n',
    });
    // The same lake from the environment: the command line was fine, the setting was not (exit 1).
    expect(runBin(['status'], { STEDI_LAKE: 's3://bucket/stedi' }).status).toBe(1);
  });

  it('refuses an address as the duckdb engine\'s lake or landing, or as generate\'s --out, writing nothing: a usage error as a flag, exit 1 from its variable', async () => {
    // `--lake S3://bucket/x` (or s3:/, https://) was read as a path: a build made ./S3:/bucket/x and published a local lake there.
    const landing = writeSmallLanding();
    const s3 = 'an S3 address is s3://bucket/prefix, in lower case, with --engine athena (or STEDI_ENGINE=athena)';
    const cases: [string[], Record<string, string>, number, string][] = [
      [['build', '--landing', landing, '--lake', 'S3://bucket-x/lake'], {}, 2, `the duckdb engine needs a local lake folder (--lake or STEDI_LAKE); "S3://bucket-x/lake" is an address, not a folder: ${s3}`],
      [['build', '--landing', landing, '--lake', 's3:/bucket-x/lake'], {}, 2, `the duckdb engine needs a local lake folder (--lake or STEDI_LAKE); "s3:/bucket-x/lake" is an address, not a folder: ${s3}`],
      [['build', '--landing', landing], { STEDI_LAKE: 'https://bucket-x/lake' }, 1, `the duckdb engine needs a local lake folder (--lake or STEDI_LAKE); "https://bucket-x/lake" is an address, not a folder: ${s3}`],
      [['build', '--lake', 'lake', '--landing', 'S3://bucket-x/in'], {}, 2, `the duckdb engine reads a local landing folder (--landing or STEDI_LANDING); "S3://bucket-x/in" is an address, not a folder: ${s3}`],
      [['build', '--lake', 'lake', '--landing', 's3://bucket-x/in'], {}, 2, 'the duckdb engine reads a local landing folder (--landing or STEDI_LANDING); for s3://bucket-x/in pass --engine athena (or set STEDI_ENGINE=athena) with an s3:// lake'],
      [['status'], { STEDI_LAKE: 'lake', STEDI_LANDING: 's3://bucket-x/in' }, 1, 'the duckdb engine reads a local landing folder (--landing or STEDI_LANDING); for s3://bucket-x/in pass --engine athena (or set STEDI_ENGINE=athena) with an s3:// lake'],
      // generate writes a local folder, to be uploaded: it made ./s3:/bucket-x/landing, which looked uploaded.
      [['generate', '--out', 's3://bucket-x/landing', '--customers', '3'], {}, 2, '--out takes a local folder, not an address; received "s3://bucket-x/landing": generate into one, then upload it (README: On AWS, Uploading landing data) (run `stedi generate --help` for usage)'],
    ];
    for (const [args, env, code, line] of cases) {
      const cwd = makeTempDir('stedi-cwd-');
      const run = await runBinIn(args, env, { cwd });
      expect({ args, env, code: run.code, stderr: run.stderr, written: readdirSync(cwd) }).toEqual({ args, env, code, stderr: `stedi: ${line}\n`, written: [] });
    }
  });

  it('echoes a bare s3:// lake as typed, saying it needs a bucket, before any AWS call', () => {
    // Its trailing slashes were cut to `s3:`: the line said the athena engine needs an s3:// lake and quoted "s3:" back.
    for (const lake of ['s3://', 's3:///']) {
      const run = runBin(['status', '--engine', 'athena', '--lake', lake]);
      expect({ lake, status: run.status, stderr: run.stderr }).toEqual({ lake, status: 2, stderr: 'stedi: the lake (--lake / STEDI_LAKE) must be an s3://bucket/prefix address; received "s3://"\n' });
    }
  });

  it.each([
    [['status', '--lake', 's3://bucket-x/lake', '--region', 'eu west 1'], 'stedi: the AWS region (--region / AWS_REGION) must be a region name such as eu-west-1; received "eu west 1"\n'],
    [['build', '--lake', 's3://bucket-x/lake', '--workgroup', 'team/a'], `stedi: the Athena workgroup (--workgroup / STEDI_ATHENA_WORKGROUP) must be 1 to 128 letters, digits, '.', '_' or '-'; received "team/a"\n`],
    [['serve', '--lake', 's3://bucket-x/lake', '--output-location', 'https://results'], 'stedi: the Athena output location (--output-location / STEDI_ATHENA_OUTPUT) must be an s3://bucket/prefix address; received "https://results"\n'],
    [['doctor', '--lake', 's3://bucket-x/lake', '--glue-database', 'Stedi-DB'], 'stedi: the Glue database (--glue-database / STEDI_GLUE_DATABASE) must be lower-case letters, digits and underscores, starting with a letter; received "Stedi-DB"\n'],
    [['doctor', '--lake', 's3://bucket-x/lake', '--landing', './landing'], 'stedi: the landing location (--landing / STEDI_LANDING) must be an s3://bucket/prefix address; received "./landing"\n'],
    // Quoted as typed: it was read as a local path and echoed as /working/folder/http:/bucket-x.
    [['status', '--lake', 'http://bucket-x/lake'], 'stedi: the athena engine needs an s3://bucket/prefix lake (--lake or STEDI_LAKE); received "http://bucket-x/lake"\n'],
  ])('exits 2 for an Athena setting given as a flag that Athena cannot take (`stedi %j --engine athena`), before any AWS call', (args, line) => {
    // They exited 1, as a command that ran and failed, though README's rule makes a flag's bad value a usage error.
    expect(runBin([...args, '--engine', 'athena'])).toEqual({ status: 2, stdout: '', stderr: line });
  });

  it('exits 1 for the same Athena setting read from its environment variable: the command line was right', () => {
    expect(runBin(['status', '--engine', 'athena', '--lake', 's3://bucket-x/lake'], { STEDI_ATHENA_WORKGROUP: 'team/a' })).toEqual({
      status: 1,
      stdout: '',
      stderr: `stedi: the Athena workgroup (--workgroup / STEDI_ATHENA_WORKGROUP) must be 1 to 128 letters, digits, '.', '_' or '-'; received "team/a"\n`,
    });
  });

  it('takes --dirty written in decimal digits, with or without a leading 0 or a decimal point', () => {
    for (const dirty of ['0', '1', '0.25', '.5']) expect({ dirty, status: runBin(['generate', '--out', makeTempDir(), '--customers', '1', '--dirty', dirty]).status }).toEqual({ dirty, status: 0 });
  });

  it('prints the usage on stdout and exits 0 for `stedi help`, and a command\'s own for `stedi help build`', () => {
    expect(runBin(['help'])).toEqual({ status: 0, stdout: expect.stringMatching(/^Usage: stedi \[options\] \[command\]/), stderr: '' });
    expect(runBin(['help', 'build'])).toEqual({ status: 0, stdout: expect.stringMatching(/^Usage: stedi build \[options\]/), stderr: '' });
  });

  it('exits 0 for --help and --version, and 1 for a command that ran and failed (a landing folder that is not there)', () => {
    expect(runBin(['build', '--help']).status).toBe(0);
    expect(runBin(['--version']).status).toBe(0);
    const missing = runBin(['build', '--landing', '/definitely/not/here', '--lake', makeTempDir()]);
    expect(missing.status).toBe(1);
    expect(runBin(['build', '--landing', writeSmallLanding(), '--lake', makeTempDir()]).status).toBe(0);
  });
});
