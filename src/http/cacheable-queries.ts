import { type DocumentNode, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** Root fields whose answer is a function of (role, version, consent snapshot, arguments). */
export const DATA_ROOT_FIELDS: ReadonlySet<string> = new Set(['customer', 'customers', 'stepTrainerReadings', 'accelerometerReadings', 'machineLearningSamples', '__typename']);

/**
 * Which operations the response cache may answer: queries whose root fields are all data fields
 * (never `lake`, rebuilds or mutations). Decided once per document and operation name.
 */
export class CacheableQueries {
  private readonly cacheable = new WeakMap<DocumentNode, Map<string, boolean>>();

  isCacheable(document: DocumentNode, operation: OperationDefinitionNode): boolean {
    let byOperation = this.cacheable.get(document);
    if (!byOperation) this.cacheable.set(document, (byOperation = new Map()));
    const name = operation.name?.value ?? '';
    let cacheable = byOperation.get(name);
    if (cacheable === undefined) byOperation.set(name, (cacheable = operation.operation === 'query' && onlyDataRoots(document, operation.selectionSet, 0)));
    return cacheable;
  }
}

/** Every root field (fragments at the root expanded) is a data field. */
function onlyDataRoots(document: DocumentNode, set: SelectionSetNode, depth: number): boolean {
  if (depth > 16) return false;
  return set.selections.every((selection) => {
    if (selection.kind === Kind.FIELD) return DATA_ROOT_FIELDS.has(selection.name.value);
    if (selection.kind === Kind.INLINE_FRAGMENT) return onlyDataRoots(document, selection.selectionSet, depth + 1);
    const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
    return fragment?.kind === Kind.FRAGMENT_DEFINITION && onlyDataRoots(document, fragment.selectionSet, depth + 1);
  });
}
