import type { BaseContext } from '@apollo/server';
import { type DocumentNode, type FragmentDefinitionNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { RequestPlugin } from './one-plugin';

/**
 * Which requests ask the lake for something: any GraphQL operation with a root
 * field besides the schema's introspection (`__schema`, `__type`,
 * `__typename`), a kept answer of one, an export. Not an IDE loading the
 * schema, the IDE's or the lake's page, a probe or /metrics. A cluster starts
 * its spare workers on the first such request (spare-workers.ts): a client
 * that reads data gets every core from its first page (a pull's read-ahead
 * and text written ahead run on the other worker), while what merely watches
 * a server (introspection, health checks, scrapes) leaves it on one worker.
 */

const SCHEMA_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '__typename']);

/** True when the operation selects a root field other than the schema's introspection (fragments at the root followed). */
export function asksForData(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const asks = (set: SelectionSetNode): boolean =>
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return !SCHEMA_FIELDS.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return asks(selection.selectionSet);
      // Validation has rejected unknown and cyclic fragments before any plugin hook: a spread seen twice adds nothing.
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      seen.add(fragment.name.value);
      return asks(fragment.selectionSet);
    });
  return asks(operation.selectionSet);
}

/** Decided once per parsed document and operation (Apollo hands the same objects for the same text: its document store). */
const decided = new WeakMap<OperationDefinitionNode, boolean>();

/** asksForData, decided once per parsed operation. */
export function decidedAsksForData(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  let data = decided.get(operation);
  if (data === undefined) decided.set(operation, (data = asksForData(document, operation)));
  return data;
}

/** Calls `onData` as each operation that asks for data is about to run (after every limit and the authentication). */
export function dataRequestPlugin(onData: () => void): RequestPlugin<BaseContext> {
  return {
    requestDidStart() {
      return {
        didResolveOperation({ document, operation, contextValue }) {
          if (!operation || (contextValue as { replay?: boolean }).replay) return;
          if (decidedAsksForData(document, operation)) onData();
        },
      };
    },
  };
}
