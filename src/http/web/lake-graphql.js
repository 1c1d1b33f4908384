// The lake page's GraphQL requests, sent with the key kept for this tab (key-storage.js); a refusal is thrown as its code and message.
import { answerError } from './api-error';
import { storedKey } from './key-storage';
import { fetchServer } from './server-fetch';

export async function graphql(query, variables) {
  const key = storedKey();
  // Relative: the page is served at the server's root, which a proxy may put under a path.
  const response = await fetchServer('graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const json = await response.json().catch(() => null);
  const error = answerError(json, response.status);
  if (error) throw error;
  return json.data;
}
