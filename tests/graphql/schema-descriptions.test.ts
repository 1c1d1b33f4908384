import { buildClientSchema, isEnumType, isInputObjectType, isObjectType, type IntrospectionQuery, getIntrospectionQuery } from 'graphql';
import { ANALYST_KEY, buildTestApp, type TestApp } from '../helpers/http-app';
import { writeSmallLanding } from '../helpers/landing-fixture';

// GraphQL's own scalars and the root operation types are described by the spec and the fields they hold.
const SELF_EXPLAINED = new Set(['String', 'Boolean', 'Int', 'Float', 'ID', 'Query', 'Mutation']);

/** Every type, field, argument and enum value the schema shows a notebook (its IDE, its introspection) with no description. */
async function undescribed(t: TestApp): Promise<string[]> {
  const res = await t.graphql(getIntrospectionQuery(), ANALYST_KEY).expect(200);
  const schema = buildClientSchema(res.body.data as IntrospectionQuery);
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
});
