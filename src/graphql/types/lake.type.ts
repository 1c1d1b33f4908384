import 'reflect-metadata';
import { Field, Int, ObjectType } from 'type-graphql';
import type { VersionManifest } from '../../../etl/manifest';
import { TABLE_NAMES, TABLES } from '../../../etl/tables';
import { ConsentPolicyEnum } from './enums.type';
import { LandingSource } from './landing-source.type';
import { DateTime, SafeInt } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'One table of a lake version.' })
export class LakeTable {
  @Field(() => String, { description: 'The table, such as customer_trusted or machine_learning_curated.' })
  name!: string;

  @Field(() => String, { description: 'landing, trusted or curated.' })
  zone!: string;

  @Field(() => SafeInt, {
    nullable: true,
    description:
      "Rows in this version (for landing tables: the lines the build accepted). In a damaged version, what its files hold (their Parquet footers), or null where they do not tell: its manifest's counts are not trusted (see LakeVersion.damaged). " +
      'For a trusted or curated table, null to a key without the admin role while the version holds a customer consent hides now: counted at the build, they would tell how many rows that customer had (totalCount leaves hidden customers out).',
  })
  rows!: number | null;
}

@ObjectType({ simpleResolvers: true, description: 'A kept lake version; cursors pinned to it keep working until it expires.' })
export class LakeVersion {
  @Field(() => String, { description: 'The version id; cursors issued on it name it.' })
  version!: string;

  @Field(() => Boolean, { description: 'True for the version new queries read.' })
  live!: boolean;

  @Field(() => ConsentPolicyEnum, { description: 'The consent policy this version was built with.' })
  consentPolicy!: ConsentPolicyEnum;

  @Field(() => SafeInt, { description: 'When the build finished, epoch ms.' })
  builtAt!: number;

  @Field(() => DateTime, { description: 'builtAt as ISO-8601.' })
  builtAtIso!: Date;

  @Field(() => SafeInt, { description: 'How long the build took, in milliseconds.' })
  buildDurationMs!: number;

  @Field(() => [LakeTable], { description: "Every table's row count in this version." })
  tables!: LakeTable[];

  @Field(() => [LandingSource], { description: 'Per landing source: lines read, accepted and quarantined by this build.' })
  landing!: LandingSource[];

  @Field(() => String, { nullable: true, description: 'Why this version cannot be read (a file missing or failing its checksum), or null. A damaged older version answers STALE_CURSOR; the next build expires it.' })
  damaged!: string | null;

  /** `fileRows`: what a damaged version's files hold, by table (engine.fileRows); its manifest's counts stand only undamaged. */
  static from(v: VersionManifest, live: boolean, damaged: string | null = null, fileRows: Partial<Record<string, number>> = {}): LakeVersion {
    const out = new LakeVersion();
    const builtAt = Date.parse(v.builtAt);
    Object.assign(out, {
      version: v.version,
      live,
      consentPolicy: v.consentPolicy as ConsentPolicyEnum,
      builtAt,
      builtAtIso: new Date(builtAt),
      buildDurationMs: v.durationMs,
      tables: TABLE_NAMES.map((name) => ({ name, zone: TABLES[name].zone, rows: damaged === null ? (v.tables[name]?.rows ?? 0) : (fileRows[name] ?? null) })),
      landing: LandingSource.listOf(v),
      damaged,
    });
    return out;
  }
}

@ObjectType({ simpleResolvers: true, description: 'The lake as served now.' })
export class Lake {
  @Field(() => String, { description: 'The live version: what queries without a cursor read.' })
  liveVersion!: string;

  @Field(() => String, { description: 'duckdb or athena.' })
  engine!: string;

  @Field(() => ConsentPolicyEnum, { description: 'The consent policy the live version was built with.' })
  consentPolicy!: ConsentPolicyEnum;

  @Field(() => SafeInt, { description: 'When the live version was built, epoch ms.' })
  builtAt!: number;

  @Field(() => DateTime, { description: 'builtAt as ISO-8601.' })
  builtAtIso!: Date;

  @Field(() => [LakeTable], { description: "Every table's row count in the live version (in a damaged one, what its files hold, or null)." })
  tables!: LakeTable[];

  @Field(() => [LakeVersion], { description: 'Kept versions, newest (live) first.' })
  versions!: LakeVersion[];

  @Field(() => Int, { description: 'Changes whenever the consent registry (re-read from the landing zone) hides a different set of customers; the same in every server process that hides the same ones (a digest of whom it hides).' })
  consentGeneration!: number;

  // Epoch ms beside an …Iso twin, as every other time of the API (this one was ISO text alone, unlike builtAt).
  @Field(() => SafeInt, { nullable: true, description: 'When the consent registry last re-read the landing zone, epoch ms; null before its first read.' })
  consentRefreshedAt!: number | null;

  @Field(() => DateTime, { nullable: true, description: 'consentRefreshedAt as ISO-8601.' })
  consentRefreshedAtIso!: Date | null;

  @Field(() => Int, { description: 'Customers hidden because a quarantined landing line makes their consent uncertain (as of the last consent read).' })
  consentUncertain!: number;
}
