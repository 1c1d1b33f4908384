import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { Kind } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';

/**
 * The first error of the variables, as the cost estimate would refuse them. graphql-query-complexity coerces the
 * variables with no bound on errors, and graphql-js writes the whole value into each error's message: a variable
 * object of 60,000 unknown keys made 60,000 messages of 60,000 keys each and ran the worker out of heap. The refusal
 * says only the first error, so coercion stops there (limits.ts asks this before estimating).
 */
export function firstVariableError(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string): GraphQLError | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    // The operations getComplexity coerces: the named one, or every one when no name is given.
    if (typeof operationName === 'string' && definition.name?.value !== operationName) continue;
    const { errors } = getVariableValues(schema, definition.variableDefinitions ?? [], variables, { maxErrors: 1 });
    if (errors) return errors[0];
  }
  return undefined;
}
