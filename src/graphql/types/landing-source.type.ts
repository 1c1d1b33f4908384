import 'reflect-metadata';
import { Field, ObjectType } from 'type-graphql';
import type { VersionManifest } from '../../../etl/manifest';
import { SOURCES } from '../../../etl/tables';
import { SafeInt } from './scalars';

@ObjectType({ simpleResolvers: true, description: 'What a build read from one landing source: lines accepted into the zones and lines quarantined.' })
export class LandingSource {
  @Field(() => String, { description: 'customer, accelerometer or step_trainer.' })
  source!: string;

  @Field(() => SafeInt, { description: 'Non-blank lines read from the landing files.' })
  lines!: number;

  @Field(() => SafeInt)
  accepted!: number;

  @Field(() => SafeInt, { description: 'Lines set aside with their file, line number and reason (`stedi build` lists where).' })
  quarantined!: number;

  static listOf(v: VersionManifest): LandingSource[] {
    return SOURCES.map((source) => {
      const count = v.landingCounts?.[source];
      return Object.assign(new LandingSource(), { source, lines: count?.lines ?? 0, accepted: count?.accepted ?? 0, quarantined: count?.quarantined ?? 0 });
    });
  }
}
