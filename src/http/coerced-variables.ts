import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';

type CoercedVariableValues = ReturnType<typeof getVariableValues>;

/**
 * A request's variables, coerced for its operation once: the cost check (limits.ts) and the executor
 * (jit-executor.ts) each coerced them with graphql-js, and graphql-jit once more. Kept by the variables object Apollo
 * hands both (its gateway's request is a new object, its variables the same one) and only where they coerced without
 * an error: a refusal is made afresh with every error graphql-js finds.
 */

interface Coerced {
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  coerced: { [variable: string]: unknown };
}

const byVariables = new WeakMap<object, Coerced>();

/** graphql-js's getVariableValues for this schema, operation and variables, at most once while they coerce. */
export function coercedVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>, options?: { maxErrors?: number }): CoercedVariableValues {
  const kept = byVariables.get(variables);
  if (kept && kept.schema === schema && kept.operation === operation) return { coerced: kept.coerced };
  const made = getVariableValues(schema, operation.variableDefinitions ?? [], variables, options);
  if (!made.errors) byVariables.set(variables, { schema, operation, coerced: made.coerced });
  return made;
}
