import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LandingCount } from '../../manifest';
import { CONSENT_UNCERTAIN_TABLE, type Source, TABLES, type TableName, landingTableOf } from '../../tables';
import { LandingPool } from '../../landing/landing-pool';
import type { LandingLimits } from '../../landing/landing-reader';
import { halfMovedSample } from '../../generate/publish-plan';
import { onLakeFilesystem } from './fs-errors';
import { LakeLayout } from './lake-layout';
import { dropLandingTable, loadLandingSource, loadUncertain } from './landing-loader';
import { LandingFolderError, findLandingFiles } from './landing-files';
import { LandingSnapshot } from './landing-snapshot';
import { SourceTurns } from './source-turns';

/** Runs `work` on a build connection of its own (build-connections.ts). */
type OnConnection = <T>(work: (connection: DuckDBConnection) => Promise<T>) => Promise<T>;

/**
 * A DuckDB build's landing tables: each source's files parsed (on worker threads, or in turns on this
 * thread) into a landing table whose Parquet files sit in the build's spill folder, with its counts.
 */
export class BuildLandingLoads {
  /** The landing reader's worker threads, shared by the sources; none beside a serving process. */
  private pool?: LandingPool;
  private readonly turns = new SourceTurns();

  constructor(
    private readonly layout: LakeLayout,
    private readonly version: () => string,
    private readonly onConnection: OnConnection,
    private readonly limits: LandingLimits = {},
  ) {}

  startPool(): void {
    this.pool = new LandingPool();
  }

  async load(source: Source): Promise<LandingCount> {
    try {
      return await this.loadSource(source);
    } finally {
      // After the last source, the pool's threads and memory go.
      if (this.turns.landed(source)) {
        void this.pool?.close();
        this.pool = undefined;
      }
    }
  }

  private async loadSource(source: Source): Promise<LandingCount> {
    // A generate killed while moving a sample in left two samples' files side by side: never built as one.
    const halfMoved = await halfMovedSample(this.layout.landing);
    if (halfMoved) throw new LandingFolderError(resolve(this.layout.landing), halfMoved);
    const files = await findLandingFiles(this.layout.landingDir(source), this.layout.landing, { whole: true });
    const folder = this.layout.quarantineDir(this.version());
    // Sources load in parallel, each on its own connection once its rows are parsed.
    return onLakeFilesystem(folder, this.layout.lake, async () => {
      const tally = await this.read(source, files, folder);
      // 0 = 0 + 0 passes every check: files emptied (a copy cut short, a writer truncating to rewrite) would publish a
      // lake without this source's records, which Athena refuses too (landing-load.ts).
      if (tally.lines === tally.blank) {
        const detail = `holds no ${source} records (0 non-blank lines in its ${files.length === 1 ? 'file' : `${files.length} files`}): add the landing data there, or point --landing at the folder holding ${source}/landing/`;
        throw new LandingFolderError(resolve(this.layout.landingDir(source)), detail);
      }
      if (source === 'customer') await this.onConnection((connection) => loadUncertain(connection, CONSENT_UNCERTAIN_TABLE, tally.uncertain));
      const { lines, accepted, quarantined, blank, quarantineReasons } = tally;
      const counts = { lines, accepted, quarantined, blank, quarantineReasons };
      return source === 'customer' ? { ...counts, uncertain: tally.uncertain.length } : counts;
    });
  }

  /** Reads a source's files, failing with LandingChangedError when one changed meanwhile (landing-snapshot.ts). */
  private read(source: Source, files: string[], folder: string): ReturnType<typeof loadLandingSource> {
    const load = () =>
      loadLandingSource((work) => this.onConnection(work), {
        table: landingTableOf(source),
        files,
        columns: TABLES[landingTableOf(source)].columns,
        quarantinePath: join(folder, `${source}.ndjson`),
        parquetDir: this.filesDir,
        ...this.limits,
        consentDoubt: source === 'customer',
        threads: { pool: this.pool, ...this.turns.of(source) },
      });
    return LandingSnapshot.around(files, load, { appends: appendsKept(source) });
  }

  async release(table: TableName): Promise<void> {
    await this.onConnection((connection) => dropLandingTable(connection, this.filesDir, table));
  }

  /** The landing tables' Parquet files: in the build's spill folder, removed with it whatever happens. */
  private get filesDir(): string {
    return join(this.layout.spillDir(this.version()), 'landing');
  }

  async close(): Promise<void> {
    await this.pool?.close();
    this.pool = undefined;
  }
}

/**
 * A reading file only appended to while read was read as it was when opened (never past that size): a prefix of
 * what its writer keeps adding, and no consent decision. A sensor stream appends for ever, and refusing it would
 * stop every build, the erasure rebuild too. Customer files stay strict: a stat cannot tell an append from an
 * in-place rewrite that grew, which can lose a revocation.
 */
const appendsKept = (source: Source): boolean => source !== 'customer';
