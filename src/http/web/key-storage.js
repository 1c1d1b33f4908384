// The API key, entered once and kept for this browser tab only (sessionStorage), shared by the lake page and the IDE.
export const KEY_STORAGE = 'stedi-api-key';

export const storedKey = () => sessionStorage.getItem(KEY_STORAGE) || '';

/** The key as typed, without what a paste brings along: surrounding space, and the "Bearer " of a curl line. */
export const cleanKey = (text) => text.trim().replace(/^bearer\s+/i, '');

/** Kept and returned clean, so the page sends "Bearer <key>" once. */
export function storeKey(text) {
  const key = cleanKey(text);
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  return key;
}

// fetch refuses a header holding a character past Latin-1 with a TypeError naming ISO-8859-1; a space or line break
// inside would reach the server as a malformed header. Either way the key itself is what to fix.
export const keyProblem = (key) =>
  /[\s\u0000-\u001f\u007f-\u009f]|[^\u0000-\u00ff]/.test(key)
    ? 'The API key holds a space, a line break or a character no API key has (such as a curly quote): paste the key alone, as the server printed it.'
    : null;
