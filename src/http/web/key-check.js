// Whether the server takes the tab's key, asked with the cheapest document there is: a page said "key set for this
// tab" for a key the server refused, which only the first 401 among the answers then showed.
import { keyProblem } from './key-storage';

/** What the page knows without asking the server: 'none', 'malformed', or 'checking' (it must be asked). */
export const localKeyState = (key) => (!key ? 'none' : keyProblem(key) ? 'malformed' : 'checking');

/** localKeyState, else the server's word: 'accepted', 'refused' (401), or 'unknown' (it could not be asked, or was busy). */
export async function checkKey(graphqlUrl, key) {
  if (localKeyState(key) !== 'checking') return localKeyState(key);
  try {
    const response = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    // Read to its end: an answer left unread stays a pending request in the browser (DevTools' "(pending)" for ever).
    await response.arrayBuffer().catch(() => undefined);
    if (response.status === 401) return 'refused';
    return response.ok ? 'accepted' : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const KEY_STATE_TEXT = {
  none: 'no key: requests will be refused',
  checking: 'checking the key…',
  malformed: 'key not usable: paste the key alone',
  accepted: 'key accepted, kept for this tab',
  refused: 'key refused by the server: paste a key it gave',
  unknown: 'key kept for this tab; the server could not check it now',
};
