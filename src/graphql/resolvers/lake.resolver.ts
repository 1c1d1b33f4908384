import 'reflect-metadata';
import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { ConsentSnapshot } from '../../consent/consent-snapshot';
import { countsHeldBack } from '../../consent/counts-held-back';
import type { GraphqlContext } from '../context';
import type { ConsentPolicyEnum } from '../types/enums.type';
import { Lake, LakeVersion } from '../types/lake.type';

/** A version's trusted and curated row counts as an analyst may see them (counts-held-back.ts): null while held back. */
function countsForAnalyst(version: LakeVersion, consent: ConsentSnapshot | null): LakeVersion {
  if (!countsHeldBack(consent, version.version)) return version;
  version.tables = version.tables.map((table) => (table.zone === 'landing' ? table : { ...table, rows: null }));
  return version;
}

@Resolver(() => Lake)
export class LakeResolver {
  @Authorized()
  @Query(() => Lake, { description: 'The live version, its row counts, build time and consent policy, and every kept version.' })
  async lake(@Ctx() ctx: GraphqlContext): Promise<Lake> {
    const manifest = await ctx.lake.manifest();
    const engine = ctx.services.engine;
    const damage = await Promise.all(manifest.versions.map(async (v) => (engine.verifyVersion ? engine.verifyVersion(v) : null)));
    // A damaged version's manifest counts may be the damage (edited by hand): its tables say what its files hold.
    const fileRows = await Promise.all(manifest.versions.map(async (v, i) => (damage[i] !== null && engine.fileRows ? engine.fileRows(v) : {})));
    let versions = manifest.versions.map((v, i) => LakeVersion.from(v, i === 0, damage[i], fileRows[i]));
    if (ctx.principal?.role !== 'admin') {
      // Privacy first: a consent registry that cannot answer hides every such count.
      const hidden = await ctx.lake.consent().catch(() => null);
      versions = versions.map((v) => countsForAnalyst(v, hidden));
    }
    const live = versions[0];
    const consent = ctx.services.consent.peek();
    const lake = new Lake();
    Object.assign(lake, {
      liveVersion: live.version,
      engine: ctx.services.engine.kind,
      consentPolicy: live.consentPolicy as ConsentPolicyEnum,
      builtAt: live.builtAt,
      builtAtIso: live.builtAtIso,
      tables: live.tables,
      versions,
      consentGeneration: consent?.digest() ?? 0,
      consentRefreshedAt: consent?.refreshedAt?.getTime() ?? null,
      consentRefreshedAtIso: consent?.refreshedAt ?? null,
      consentUncertain: consent?.uncertain ?? 0,
    });
    return lake;
  }
}
