import { buildClientSchema, getNamedType, getNullableType, isEnumType, isInputObjectType, isNonNullType, isObjectType, type GraphQLSchema, type IntrospectionQuery, getIntrospectionQuery } from 'graphql';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

// GraphQL's own scalars and the root operation types are described by the spec and the fields they hold.
const SELF_EXPLAINED = new Set(['String', 'Boolean', 'Int', 'Float', 'ID', 'Query', 'Mutation']);

async function servedSchema(t: TestApp): Promise<GraphQLSchema> {
  const res = await t.graphql(getIntrospectionQuery(), ANALYST_KEY).expect(200);
  return buildClientSchema(res.body.data as IntrospectionQuery);
}

/** Every field of the served object types, as `Type.field` with its type. */
function objectFields(schema: GraphQLSchema): Array<{ name: string; field: string; type: ReturnType<typeof getNamedType>; nonNull: boolean; description: string }> {
  return Object.values(schema.getTypeMap())
    .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) =>
      Object.values((type as import('graphql').GraphQLObjectType).getFields()).map((f) => ({
        name: `${type.name}.${f.name}`,
        field: f.name,
        type: getNamedType(getNullableType(f.type)),
        nonNull: isNonNullType(f.type),
        description: f.description ?? '',
      })),
    );
}

/** Every type, field, argument and enum value the schema shows a notebook (its IDE, its introspection) with no description. */
async function undescribed(t: TestApp): Promise<string[]> {
  const schema = await servedSchema(t);
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (!type.description && !SELF_EXPLAINED.has(type.name)) missing.push(type.name);
    if (isObjectType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
  }
  return missing;
}

describe('the schema as documentation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ landing: writeSmallLanding() });
  });
  afterAll(() => t.close());

  it('describes every type, field, argument and enum value it serves through introspection', async () => {
    expect(await undescribed(t)).toEqual([]);
  });

  it('gives every time as epoch milliseconds (SafeInt) beside the same time as ISO-8601 (DateTime) named <field>Iso, as README says', async () => {
    // Lake.consentRefreshedAt was ISO text alone, while builtAt, createdAt… beside it are epoch ms: a notebook read it as a number and failed.
    const fields = objectFields(await servedSchema(t));
    const byName = new Map(fields.map((f) => [f.name, f]));
    const iso = fields.filter((f) => f.type?.name === 'DateTime');
    expect(iso.length).toBeGreaterThan(10);
    const unpaired = iso.filter((f) => !f.field.endsWith('Iso') || byName.get(f.name.replace(/Iso$/, ''))?.type?.name !== 'SafeInt');
    expect(unpaired.map((f) => f.name)).toEqual([]);
    // …and each pair is as nullable as the other.
    expect(iso.filter((f) => byName.get(f.name.replace(/Iso$/, ''))!.nonNull !== f.nonNull).map((f) => f.name)).toEqual([]);

    const res = await t.graphql('{ lake { consentRefreshedAt consentRefreshedAtIso builtAt builtAtIso } }', ANALYST_KEY).expect(200);
    const lake = res.body.data.lake;
    expect(typeof lake.consentRefreshedAt).toBe('number');
    expect(lake.consentRefreshedAtIso).toBe(new Date(lake.consentRefreshedAt).toISOString());
    expect(lake.builtAtIso).toBe(new Date(lake.builtAt).toISOString());
  });

  it('tells the fields of a type apart: no two share one description', async () => {
    // Customer's name, email, phone and birthDay each said only that they need the admin role: not what they hold (birthDay's format).
    const fields = objectFields(await servedSchema(t));
    const seen = new Map<string, string>();
    const repeated: string[] = [];
    for (const f of fields) {
      const key = `${f.name.split('.')[0]}: ${f.description}`;
      if (seen.has(key)) repeated.push(`${seen.get(key)} and ${f.name}`);
      else seen.set(key, f.name);
    }
    expect(repeated).toEqual([]);
  });

  it('says what each time is, not its unit alone, and types as non-null the consent date every served customer has', async () => {
    const fields = objectFields(await servedSchema(t));
    // "Epoch milliseconds." told a newcomer the unit of registrationDate, timestamp or startedAt, not what happened then.
    expect(fields.filter((f) => /^epoch (milliseconds|ms)\.?$/i.test(f.description.trim())).map((f) => f.name)).toEqual([]);
    // Served customers consent (customer_trusted.sql keeps no one without the date): a nullable type made a notebook test for a null that never comes.
    const customer = new Map(fields.filter((f) => f.name.startsWith('Customer.')).map((f) => [f.field, f.nonNull]));
    expect([customer.get('shareWithResearchAsOfDate'), customer.get('shareWithResearchAsOfDateIso')]).toEqual([true, true]);
    const res = await t.graphql('{ customers(first: 100) { edges { node { shareWithResearchAsOfDate shareWithFriendsAsOfDate } } } }', ANALYST_KEY).expect(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.customers.edges.every((e: { node: { shareWithResearchAsOfDate: unknown } }) => typeof e.node.shareWithResearchAsOfDate === 'number')).toBe(true);
  });
});
