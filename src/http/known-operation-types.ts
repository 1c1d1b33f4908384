import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * Refuses an operation whose root type the schema does not have (this API has
 * no subscriptions) at validation, as graphql 17 does: graphql 16 lets it
 * through to execution, whose error carries no code and read as the server's.
 */
export const knownOperationTypes: ValidationRule = (context: ValidationContext) => ({
  OperationDefinition(node) {
    const schema = context.getSchema();
    const root = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() }[node.operation];
    if (!root) context.reportError(new GraphQLError(`this API has no ${node.operation} operations: send a query (or, with an admin key, a mutation)`, { nodes: node }));
  },
});
