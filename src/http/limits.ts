import type { ApolloServerPlugin } from '@apollo/server';
import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { type ComplexityEstimator, fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { ErrorCode } from '../errors';
import { DEFAULT_PAGE_SIZE } from '../graphql/pagination';

/**
 * Depth and complexity limits (config.maxDepth, config.maxComplexity). Depth is
 * a validation rule (cached with the document); complexity depends on
 * variables such as `first`, so it is computed per request once the operation is known.
 */

/** Rejects selections nested deeper than `maxDepth` fields; introspection fields do not count. */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const depthOf = (set: SelectionSetNode, visiting: Set<string>): number => {
      let deepest = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + (selection.selectionSet ? depthOf(selection.selectionSet, visiting) : 0));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          // A fragment cycle is reported by graphql's own NoFragmentCycles rule.
          if (!fragment || visiting.has(name)) continue;
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set(visiting).add(name)));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(
            new GraphQLError(`the query nests ${depth} levels deep; the limit is ${maxDepth}: ask for fewer nested fields or split the query`, {
              nodes: [operation],
              extensions: { code: ErrorCode.BAD_USER_INPUT },
            }),
          );
        }
      },
    };
  };
}

/**
 * A connection's cost is its page size (`first`, or the default page size)
 * times what each item costs, so a wide page of deep items costs what it reads.
 */
const pageEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((a) => a.name === 'first')) return undefined;
  // An omitted `first` reads the resolvers' default page; a negative one is refused before it runs.
  const first = typeof args.first === 'number' ? Math.max(args.first, 0) : DEFAULT_PAGE_SIZE;
  return 1 + first * Math.max(childComplexity, 1);
};

const estimators = [fieldExtensionsEstimator(), pageEstimator, simpleEstimator({ defaultComplexity: 1 })];

export function complexityLimitPlugin(maxComplexity: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operationName }) {
          let complexity: number;
          try {
            complexity = getComplexity({ schema, query: document, variables: request.variables ?? {}, operationName: operationName ?? undefined, estimators });
          } catch (error) {
            // Bad variables are reported by execution itself (as BAD_USER_INPUT); only an oversized document stops here.
            if (!(error instanceof GraphQLError) || !/maximum allowed number of nodes/.test(error.message)) return;
            throw new GraphQLError('the query selects too many fields; split it into smaller queries', { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
          }
          if (complexity > maxComplexity) {
            throw new GraphQLError(
              `the query's estimated cost is ${complexity.toLocaleString('en-US')}, above the limit of ${maxComplexity.toLocaleString('en-US')}: ask for fewer rows per page (first) or fewer nested fields`,
              { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
