import type { BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { type GraphQLError, Kind, type ValidationContext, type ValidationRule } from 'graphql';
import type { LimitsConfig } from '../config';
import { type CostEstimate, estimateCost } from './cost-estimate';
import { limitError } from './limit-error';
import { OperationCosts } from './operation-costs';
import type { RequestPlugin } from './one-plugin';
import { oversizedVariable } from './variable-size';
import { knownOperationTypes } from './known-operation-types';

/**
 * Every limit a GraphQL request passes before it runs (README → Request ids
 * and limits). graphql-js's parser stops at `maxTokens`; graphql-armor checks
 * depth (introspection included), aliases and directives while validating;
 * the cost, which depends on page sizes in variables and on totalCount scans,
 * is graphql-query-complexity's with our estimators (cost-estimate.ts), once the operation is
 * known. armor's own cost limit is off: it reads only literal `first`
 * arguments. A limit that cannot be checked is not passed: any failure is a refusal.
 * Parsing and validation (armor's rules included) run once per text (Apollo's
 * document store); the cost once per text and page-size variables (operation-costs.ts).
 */

export interface GraphqlLimits {
  /** The cost and row limits, once the operation is known. */
  plugin: RequestPlugin<BaseContext>;
  validationRules: ValidationRule[];
  /** For Apollo's parse (a plugin throwing while parsing would answer 500). */
  parseOptions: { maxTokens: number };
}

export function graphqlLimits(limits: LimitsConfig): GraphqlLimits {
  const armor = new ApolloArmor({
    maxTokens: { enabled: false },
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: false, flattenFragments: true, ...refuse('ask for fewer nested fields') },
    maxAliases: { n: limits.maxAliases, ...refuse('send fewer aliased fields per request') },
    maxDirectives: { n: limits.maxDirectives, ...refuse('use fewer directives') },
    costLimit: { enabled: false },
    // Introspection is on, so field suggestions reveal nothing; they help a caller fix a typo.
    blockFieldSuggestion: { enabled: false },
  });
  // armor's plugins are Envelop's (onValidate), which Apollo never calls: its limits are the validation rules.
  const { validationRules } = armor.protect();
  return {
    plugin: dataCostPlugin(limits),
    validationRules: [knownOperationTypes, ...validationRules.map(failClosed)],
    parseOptions: parseOptionsOf(limits),
  };
}

/** The options Apollo parses every document with (and parse-refusals.ts the documents it refuses first). */
export const parseOptionsOf = (limits: LimitsConfig): GraphqlLimits['parseOptions'] => ({ maxTokens: limits.maxTokens });

/** graphql-armor reports "Syntax Error: …" without a code; ours says what to change and is BAD_USER_INPUT. */
function refuse(advice: string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError): void => {
        const refusal = limitError(`${error.message.replace(/^Syntax Error: /, '').replace(/\.$/, '')}: ${advice}`);
        // Without a validation context there is nowhere to report: refuse by throwing rather than pass.
        if (context) context.reportError(refusal);
        else throw refusal;
      },
    ],
  };
}

/** A rule that throws (a stack overflow on a hostile document, a bug) refuses the document instead. */
export function failClosed(rule: ValidationRule): ValidationRule {
  return (context) => {
    const visitor = rule(context) as unknown as Record<string, unknown>;
    const guarded: Record<string, unknown> = {};
    for (const kind of AST_KINDS) {
      const handler = visitor[kind];
      if (typeof handler === 'function') guarded[kind] = guard(handler, visitor, context);
      else if (handler && typeof handler === 'object') {
        const { enter, leave } = handler as { enter?: unknown; leave?: unknown };
        guarded[kind] = { enter: typeof enter === 'function' ? guard(enter, visitor, context) : undefined, leave: typeof leave === 'function' ? guard(leave, visitor, context) : undefined };
      }
    }
    return guarded;
  };
}

// Per-kind handlers, and a generic enter/leave: a handler left out here would be a check silently skipped.
const AST_KINDS = [...(Object.values(Kind) as string[]), 'enter', 'leave'];

// graphql-js calls a visitor's handlers with the visitor as `this`; the rules rely on it.
const guard = (handler: Function, visitor: object, context: ValidationContext) => // eslint-disable-line @typescript-eslint/no-unsafe-function-type
  (...args: unknown[]): unknown => {
    try {
      return handler.apply(visitor, args);
    } catch {
      context.reportError(limitError('the document could not be checked against the limits; simplify it'));
      return false;
    }
  };

/** Answering rows holds the worker's event loop for every other request: a request asks for a bounded number. */
const rowsRefusal = (rows: number, bound: number): GraphQLError =>
  limitError(
    `the query asks for up to ${rows.toLocaleString('en-US')} rows, above the limit of ${bound.toLocaleString('en-US')} rows a request (STEDI_MAX_REQUEST_ROWS): ` +
      // "rows per page (first)" is also how the Python client knows to say it as its page_size (clients/python/stedi/errors.py).
      'ask for fewer rows per page (first) or fewer pages in one request (a nested page counts its `first` once for each row of the page it is in), and the next page in the next request',
  );

function dataCostPlugin(limits: LimitsConfig): RequestPlugin<BaseContext> {
  const costs = new OperationCosts<CostEstimate>();
  return {
    requestDidStart() {
      return {
        didResolveOperation({ request, document, schema, operation, operationName, contextValue }) {
          const variables = request.variables ?? {};
          const oversized = oversizedVariable(schema, document, variables, operationName ?? undefined);
          if (oversized) throw limitError(oversized);
          const estimate = () => estimateCost(limits, { schema, query: document, variables, operationName: operationName ?? undefined });
          const { cost, rows, oversizedPage } = operation ? costs.get(schema, document, operation, variables, estimate) : estimate();
          // A `first` above the page size is what to fix first: said so rather than as the cost it makes.
          if (oversizedPage && (cost > limits.maxComplexity || rows > limits.maxRequestRows)) throw limitError(oversizedPage);
          if (cost > limits.maxComplexity) {
            throw limitError(
              `the query's estimated cost is ${cost.toLocaleString('en-US')}, above the limit of ${limits.maxComplexity.toLocaleString('en-US')}: ask for fewer rows per page (first), fewer totalCount fields or fewer nested fields`,
            );
          }
          if (rows > limits.maxRequestRows) throw rowsRefusal(rows, limits.maxRequestRows);
          (contextValue as { askedRows?: number }).askedRows = rows;
        },
      };
    },
  };
}
