// What GraphiQL keeps in localStorage (tabs, history, favourites), never with the request headers: its history saved
// each run's headers even with shouldPersistHeaders off, so a key typed in the headers editor stayed on disk.
const NAMESPACE = 'graphiql:';
// The entries holding a `headers` field (tabState's tabs, history and favourite items); the editors' own text
// (graphiql:variables, graphiql:query) is the user's and kept exactly.
const WITH_HEADERS = new Set(['queries', 'favorites', 'tabState'].map((name) => NAMESPACE + name));

/** The entry with every `headers` field null (GraphiQL's own value for "none": a tab without it is dropped). */
function withoutHeaders(key, value) {
  if (!WITH_HEADERS.has(key) || typeof value !== 'string') return value;
  try {
    return JSON.stringify(JSON.parse(value), (name, field) => (name === 'headers' ? null : field));
  } catch {
    return value;
  }
}

/**
 * localStorage as GraphiQL's StorageAPI uses it, keeping no headers; what an earlier page kept is cleaned at once.
 * Null (GraphiQL then keeps nothing) where the browser refuses localStorage (site data blocked): reading it throws.
 */
export function storageWithoutHeaders() {
  try {
    return cleanedStorage();
  } catch {
    return null;
  }
}

function cleanedStorage() {
  const keys = () => Object.keys(localStorage).filter((key) => key.startsWith(NAMESPACE));
  const setItem = (key, value) => {
    if (key === `${NAMESPACE}headers`) localStorage.removeItem(key);
    else localStorage.setItem(key, withoutHeaders(key, value));
  };
  for (const key of keys()) {
    const kept = localStorage.getItem(key);
    if (key === `${NAMESPACE}headers` || withoutHeaders(key, kept) !== kept) setItem(key, kept);
  }
  return {
    getItem: (key) => localStorage.getItem(key),
    setItem,
    removeItem: (key) => localStorage.removeItem(key),
    get length() {
      return keys().length;
    },
    clear: () => keys().forEach((key) => localStorage.removeItem(key)),
  };
}
