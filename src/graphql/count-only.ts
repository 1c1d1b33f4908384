import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Whether a connection field asks for its totalCount and nothing that needs
 * its page (edges, pageInfo): `{ totalCount }`, with `__typename`, `lakeVersion`, aliases
 * and fragments holding only those. Then the page is not read: a notebook
 * asking the size of each split pays one count per split, not a page and a
 * count. Anything it cannot be sure of (a directive anywhere in the
 * selection, an unknown fragment) reads the page as before.
 */
export function asksOnlyTotalCount(info: Partial<Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>>): boolean {
  let counted = false;
  const onlyCount = (set: SelectionSetNode | undefined): boolean =>
    set !== undefined &&
    set.selections.every((selection) => {
      if (selection.directives && selection.directives.length > 0) return false;
      if (selection.kind === Kind.FIELD) {
        if (selection.selectionSet) return false;
        if (selection.name.value === 'totalCount') return (counted = true);
        // lakeVersion is the version the count reads: known without the page.
        return selection.name.value === '__typename' || selection.name.value === 'lakeVersion';
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return onlyCount(selection.selectionSet);
      const fragment = info.fragments?.[selection.name.value];
      return fragment !== undefined && (fragment.directives?.length ?? 0) === 0 && onlyCount(fragment.selectionSet);
    });
  // A field asked twice under one response key (`{ a: f { totalCount } a: f { edges { … } } }`) merges both.
  // An executor that gives no field nodes: nothing is known, so the page is read.
  return (info.fieldNodes?.length ?? 0) > 0 && info.fieldNodes!.every((node) => onlyCount(node.selectionSet)) && counted;
}

/**
 * An answer read for its count alone: its page was never read, so asking for one of `unread` is a defect in the
 * resolver that chose it (asksOnlyTotalCount said no such field was asked), not an empty page.
 */
export function countOnlyAnswer<T extends object, const K extends string>(what: string, unread: readonly K[], known: T): NoInfer<T> & Record<K, never> {
  const answer = { ...known } as T & Record<K, never>;
  for (const name of unread) {
    Object.defineProperty(answer, name, {
      enumerable: true,
      get: () => {
        throw new Error(`${what} read for its totalCount alone was asked for its ${name}`);
      },
    });
  }
  return answer;
}
