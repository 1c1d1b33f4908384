import { type DocumentNode, type GraphQLInputType, type GraphQLSchema, isInputObjectType, isListType, isNonNullType, Kind, typeFromAST } from 'graphql';

/**
 * Variables larger than any type takes, refused before graphql-js coerces them: it writes the whole value into each
 * error (an object at the top is printed key by key), so an input object of 40,000 unknown fields cost ~300 ms a
 * message, four messages a request (the cost estimate's and its cache's checks): 1-2 s of a worker's main thread for
 * one 580 KB request, and the refusal quoted the client's first keys. An input object may hold at most the fields its
 * type declares; any other value, at most MAX_VARIABLE_VALUES fields and list items in all.
 */
export const MAX_VARIABLE_VALUES = 1_000;

interface Budget {
  left: number;
}

/** What is wrong, for the first variable of the operation (or of every operation, none named) that is too large. */
export function oversizedVariable(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, operationName?: string): string | undefined {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (typeof operationName === 'string' && definition.name?.value !== operationName) continue;
    const budget: Budget = { left: MAX_VARIABLE_VALUES };
    for (const declared of definition.variableDefinitions ?? []) {
      const name = declared.variable.name.value;
      if (!Object.hasOwn(variables, name)) continue;
      const why = sizeProblem(variables[name], typeFromAST(schema, declared.type) as GraphQLInputType | undefined, budget);
      if (why) return `Variable "$${name}" ${why}`;
    }
  }
  return undefined;
}

function sizeProblem(value: unknown, type: GraphQLInputType | undefined, budget: Budget): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const named = type && isNonNullType(type) ? type.ofType : type;
  if (named && isInputObjectType(named) && !Array.isArray(value)) {
    const fields = named.getFields();
    const declared = Object.keys(fields);
    const keys = Object.keys(value);
    if (keys.length > declared.length) return `has ${keys.length} fields; ${named.name} has ${declared.length} (${declared.join(', ')}): send only those`;
    return within(keys.length, budget) ?? first(keys, (key) => sizeProblem((value as Record<string, unknown>)[key], fields[key]?.type, budget));
  }
  const items: unknown[] = Array.isArray(value) ? value : Object.keys(value);
  const tooMany = within(items.length, budget);
  if (tooMany) return tooMany;
  const itemType = named && isListType(named) ? (named.ofType as GraphQLInputType) : undefined;
  const entries = Array.isArray(value) ? value : Object.values(value);
  return first(entries, (item) => sizeProblem(item, itemType, budget));
}

function within(count: number, budget: Budget): string | undefined {
  budget.left -= count;
  return budget.left < 0 ? `holds more than ${MAX_VARIABLE_VALUES} fields and list items in all, more than any argument takes: send only what the operation's arguments declare` : undefined;
}

function first<T>(items: readonly T[], problem: (item: T) => string | undefined): string | undefined {
  for (const item of items) {
    const found = problem(item);
    if (found) return found;
  }
  return undefined;
}
