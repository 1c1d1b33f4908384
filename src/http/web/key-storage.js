// The API key, entered once and kept for this browser tab only (sessionStorage), shared by the lake page and the IDE.
export const KEY_STORAGE = 'stedi-api-key';

export const storedKey = () => sessionStorage.getItem(KEY_STORAGE) || '';

export function storeKey(key) {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}
