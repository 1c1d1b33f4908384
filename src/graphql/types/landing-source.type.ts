import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import type { VersionManifest } from '../../../etl/manifest';
import { SOURCES } from '../../../etl/tables';
import { QuarantineReason } from './quarantine-reason.type';
import { SafeInt } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'What a build read from one landing source: lines accepted into the zones and lines quarantined.' })
export class LandingSource {
  @Field(() => String, { description: 'customer, accelerometer or step_trainer.' })
  source!: string;

  @Field(() => SafeInt, { description: 'Every line of the landing files: accepted + quarantined + blank.' })
  lines!: number;

  @Field(() => SafeInt, { description: 'Lines that passed the landing rules: the rows of its landing table (the trusted zone keeps what consent and de-duplication leave of them).' })
  accepted!: number;

  @Field(() => SafeInt, { description: 'Lines set aside with their file, line number and reason (`stedi build` lists where).' })
  quarantined!: number;

  @Field(() => SafeInt, { nullable: true, description: 'Empty or whitespace-only lines, skipped (null for builds that did not count them).' })
  blank!: number | null;

  @Field(() => SafeInt, { nullable: true, description: 'Customer source: customers hidden because a quarantined line makes their consent uncertain.' })
  uncertain!: number | null;

  @Field(() => [QuarantineReason], {
    description: 'Quarantined lines per reason, most frequent first. Empty when nothing was quarantined, and for versions built before reasons were counted.',
  })
  quarantineReasons!: QuarantineReason[];

  static listOf(v: VersionManifest): LandingSource[] {
    return SOURCES.map((source) => {
      const count = v.landingCounts?.[source];
      return Object.assign(new LandingSource(), {
        source,
        lines: count?.lines ?? 0,
        accepted: count?.accepted ?? 0,
        quarantined: count?.quarantined ?? 0,
        blank: count?.blank ?? null,
        uncertain: count?.uncertain ?? null,
        quarantineReasons: (count?.quarantineReasons ?? []).map((r) => Object.assign(new QuarantineReason(), { reason: r.reason, count: r.count })),
      });
    });
  }
}
