import { type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValueNode, visit } from 'graphql';
import { coercedVariables } from './coerced-variables';

/**
 * Cost estimates of a document already seen, so a repeated query is not
 * walked again. The estimate depends on the text and on few variables: those
 * in a cost argument (`first`) or a directive (@include, @skip) by value, and
 * every other one only by being absent, null or set (an absent or null one can
 * make an argument invalid). Entries hang off Apollo's cached document (a
 * WeakMap), so they leave with it; each document keeps a bounded number.
 */

/** Arguments the cost model reads (limits.ts); a variable used anywhere else cannot change an estimate. */
export const COST_ARGUMENTS: ReadonlySet<string> = new Set(['first']);

const MAX_VARIANTS = 8;
const MAX_KEY_CHARS = 128;
/** What one document's estimates may hold at most (keys, entries, the plan), for the document store's budget. */
export const COST_BYTES_PER_DOCUMENT = 4 * 1024;

interface Plan {
  /** Variables whose value the estimate reads. */
  valued: ReadonlySet<string>;
  estimates: Map<string, unknown>;
}

export class OperationCosts<E> {
  private readonly plans = new WeakMap<DocumentNode, Map<string, Plan>>();

  /**
   * `estimate()` for this document, operation and variables, or the one made
   * before for the same key. A refusal (it throws) is never kept, and variables
   * that do not coerce always go to `estimate()`, which refuses them as before.
   */
  get(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, estimate: () => E): E {
    const coerced = coercedVariables(schema, operation, variables, { maxErrors: 1 });
    if (coerced.errors) return estimate();
    const plan = this.planOf(document, operation);
    const key = variantKey(operation, plan.valued, coerced.coerced);
    if (plan.estimates.has(key)) return plan.estimates.get(key) as E;
    const made = estimate();
    if (key.length <= MAX_KEY_CHARS) {
      if (plan.estimates.size >= MAX_VARIANTS) plan.estimates.delete(plan.estimates.keys().next().value as string);
      plan.estimates.set(key, made);
    }
    return made;
  }

  private planOf(document: DocumentNode, operation: OperationDefinitionNode): Plan {
    let byOperation = this.plans.get(document);
    if (!byOperation) {
      byOperation = new Map();
      this.plans.set(document, byOperation);
    }
    const name = operation.name?.value ?? '';
    let plan = byOperation.get(name);
    if (!plan) {
      plan = { valued: costVariables(document), estimates: new Map() };
      byOperation.set(name, plan);
    }
    return plan;
  }
}

/** Variables used in a cost argument or a directive anywhere in the document (more than needed is only a smaller hit rate). */
export function costVariables(document: DocumentNode): Set<string> {
  const names = new Set<string>();
  const collect = (value: ValueNode): void => {
    visit(value, { Variable: (node) => void names.add(node.name.value) });
  };
  visit(document, {
    Argument: (node) => void (COST_ARGUMENTS.has(node.name.value) && collect(node.value)),
    Directive: (node) => void node.arguments?.forEach((argument) => collect(argument.value)),
  });
  return names;
}

function variantKey(operation: OperationDefinitionNode, valued: ReadonlySet<string>, values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (!Object.prototype.hasOwnProperty.call(values, name)) parts.push('a');
    else if (values[name] === null) parts.push('n');
    else parts.push(valued.has(name) ? `=${JSON.stringify(values[name])}` : 'v');
  }
  return parts.join(',');
}
