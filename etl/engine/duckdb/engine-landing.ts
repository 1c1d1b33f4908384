import type { LandingSink, LandingTally, ReadOptions } from '../../landing/landing-reader';
import { readLanding } from '../../landing/landing-reader';
import { type LakeManifest, liveVersion } from '../../manifest';
import { type Source, TABLES, type TableName } from '../../tables';
import type { LandingIdentity } from '../engine';
import { findLandingFiles, landingFilesIdentity } from './landing-files';
import { LakeLayout } from './lake-layout';
import { LandingSnapshot } from './landing-snapshot';
import { sqlIdentifier, sqlStringLiteral } from './landing-sql';

/**
 * The landing folder as the serving engine reads it: the one given, else the one the live version was built
 * from, else the lake folder; its files listed at each read, so a new landing file counts at once.
 */
export class EngineLanding {
  constructor(
    private readonly layout: LakeLayout,
    private readonly given: string | undefined,
    private readonly manifest: () => Promise<LakeManifest | null>,
  ) {}

  async location(): Promise<string> {
    if (this.given !== undefined) return this.given;
    const manifest = await this.manifest().catch(() => null);
    const live = manifest ? liveVersion(manifest) : undefined;
    return live ? this.layout.located(live.landing) : this.layout.lake;
  }

  /** The lake's layout with the landing folder of location(), as it is now. */
  async layoutNow(): Promise<LakeLayout> {
    return new LakeLayout(this.layout.lake, await this.location());
  }

  private async files(source: Source, whole: boolean): Promise<string[]> {
    const layout = await this.layoutNow();
    return findLandingFiles(layout.landingDir(source), layout.landing, { whole });
  }

  async read(source: Source, sink: LandingSink, options: ReadOptions = {}): Promise<LandingTally> {
    // Whole, as a build reads it: an entry no engine reads (a gzipped revocation, a partition folder) fails the
    // consent read, so consent is unavailable rather than decided without it while every rebuild refuses it.
    const files = await this.files(source, true);
    // A file changed while read (a rewrite in place) may have lost its end, a revocation with it: the read fails, as a
    // build's does (landing-snapshot.ts), so the registry keeps its last snapshot rather than un-hide that customer.
    return LandingSnapshot.around(files, () => readLanding(files, TABLES[`${source}_landing`].columns, sink, { ...options, consentDoubt: source === 'customer' }));
  }

  async identity(source: Source): Promise<LandingIdentity> {
    return landingFilesIdentity(await this.files(source, true));
  }

  // Private: landing tables are read as they are now, with the declared schema; bad lines are skipped here (the build quarantines them).
  // Never for consent decisions: those go through read, the build's own reader and rules.
  async tableRef(source: Source, table: TableName): Promise<string> {
    const columns = TABLES[table].columns.map((c) => `${sqlStringLiteral(c.name)}: ${sqlStringLiteral(c.type)}`).join(', ');
    // The same files a build reads (.json, .jsonl, .ndjson), listed now so a new landing file counts at once.
    const files = (await this.files(source, false)).map(sqlStringLiteral).join(', ');
    // `+ 0e0` makes -0.0 zero, as the build's reader and the Athena landing store it.
    const values = TABLES[table].columns.map((c) => (c.type === 'DOUBLE' ? `${sqlIdentifier(c.name)} + 0e0 AS ${sqlIdentifier(c.name)}` : sqlIdentifier(c.name))).join(', ');
    return `(SELECT ${values} FROM read_json([${files}], format = 'newline_delimited', columns = {${columns}}, ignore_errors = true))`;
  }
}
