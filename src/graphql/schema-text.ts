import { type GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';

/** The SDL checked in as schema/schema.graphql: sorted, so it only changes when the schema does. */
export const SCHEMA_HEADER = '# Generated from the type-graphql classes in src/graphql by `npm run schema`; do not edit.\n\n';

export function schemaText(schema: GraphQLSchema): string {
  return `${SCHEMA_HEADER}${printSchema(lexicographicSortSchema(schema))}\n`;
}
