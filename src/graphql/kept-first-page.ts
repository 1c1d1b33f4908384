/**
 * The first page of the training set's walk (no cursor), kept after it is
 * read: a notebook, a training run or the next client pulls the set from its
 * start again, and that page is the only one of a walk read on the request's
 * path (every later page is read ahead). One page a process (the last first
 * page read), kept under the page's key: its SQL text and bound values,
 * which hold the version and the consent exclusions, so a new version or a
 * revocation simply misses; and its rows are still checked against the
 * consent registry when they are served (visibleRows), as for a page read
 * ahead. Only edges pages keep it (the batch's pages share the key).
 */

interface Kept {
  key: string;
  result: Promise<unknown>;
}

const kept = new WeakMap<object, Kept>();

/** The page kept in `store` under `key`, else undefined. */
export function keptFirstPage<T>(store: object, key: string): Promise<T> | undefined {
  const page = kept.get(store);
  return page?.key === key ? (page.result as Promise<T>) : undefined;
}

/** Keeps `result` as the first page of `store` under `key` (in place of any other); dropped if the read fails. */
export function keepFirstPage(store: object, key: string, result: Promise<unknown>): void {
  const page = { key, result };
  kept.set(store, page);
  result.catch(() => {
    if (kept.get(store) === page) kept.delete(store);
  });
}
